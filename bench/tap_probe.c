/*
 * tap_probe: watches an X11 screen from outside, for bench/kiosk_vs_browser.sh.
 * It works for any X11 program: it reads the screen the way a viewer sees it.
 *
 *   tap_probe start T0_NS CLASS TIMEOUT_S QUIET_MS
 *     Start-up of a program launched at T0_NS (CLOCK_REALTIME ns, `date +%s%N`).
 *     Prints, in ms after T0:
 *       map_ms      a viewable top-level window whose WM_CLASS contains CLASS was seen
 *       painted_ms  first screen with that window mapped and >= 8 distinct colours
 *                   (Chromium first shows plain grey and white windows: 1-2 colours)
 *       stable_ms   the last change before the screen stayed unchanged for QUIET_MS
 *
 *   tap_probe pids TAG
 *     Prints the PIDs of the measured program, one a line: every process whose
 *     environment holds BENCH_TAG=TAG, and all their descendants.
 *
 *   tap_probe taps TAG XSERVER_PID QUIET_MS X,Y [X,Y ...]
 *     One tap per X,Y, by XTest (pointer moved there, button 1 pressed and released).
 *     Per tap, one line:  tap N X Y PAINT_MS CPU_MS XSERVER_MS
 *       PAINT_MS   from the press to the first screen whose pixels differ from the
 *                  screen before the tap (-1: nothing changed within 5 s)
 *       CPU_MS     on-CPU time of every thread of the program's processes (as `pids`
 *                  finds them; from /proc/PID/task/TID/schedstat), from just
 *                  before the pointer moved until the screen was quiet for QUIET_MS
 *                  after the change; time of threads that exit meanwhile is lost
 *       XSERVER_MS the same for XSERVER_PID (0: not measured)
 *
 * Method: XDamage on the root window wakes the probe whenever anything is drawn;
 * each wake-up (and, as a safety net, every 20 ms without one) takes a full-screen
 * XShmGetImage and compares it with the previous one. Between wake-ups the probe
 * sleeps in select(), so it costs the measured program almost nothing.
 *
 * Build: cc -O2 -o tap_probe tap_probe.c -lXtst -lXdamage -lXext -lX11
 */
#define _GNU_SOURCE
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/XTest.h>
#include <X11/extensions/Xdamage.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ipc.h>
#include <sys/select.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#define SAFETY_POLL_MS 20
#define CHANGE_TIMEOUT_MS 5000
#define MAX_QUIET_WAIT_MS 4000
#define MIN_COLOURS 8

static Display* dpy;
static Window root;
static int damage_event_base;
static Damage damage;
static XImage* img;
static XShmSegmentInfo shm;
static size_t img_bytes;
static unsigned char* prev; /* the last screen seen */

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int ignore_x_errors(Display* d, XErrorEvent* e) {
  (void)d;
  (void)e;
  return 0; /* windows come and go while we query them */
}

static void fail(const char* what) {
  fprintf(stderr, "tap_probe: %s\n", what);
  exit(1);
}

static void open_screen(void) {
  dpy = XOpenDisplay(NULL);
  if (!dpy) fail("cannot open the X display ($DISPLAY)");
  XSetErrorHandler(ignore_x_errors);
  int scr = DefaultScreen(dpy);
  root = RootWindow(dpy, scr);
  int err_base, major, minor;
  if (!XShmQueryExtension(dpy)) fail("the X server has no MIT-SHM");
  if (!XDamageQueryExtension(dpy, &damage_event_base, &err_base)) fail("the X server has no DAMAGE");
  if (!XTestQueryExtension(dpy, &err_base, &err_base, &major, &minor)) fail("the X server has no XTEST");
  img = XShmCreateImage(dpy, DefaultVisual(dpy, scr), (unsigned)DefaultDepth(dpy, scr), ZPixmap, NULL, &shm,
                        (unsigned)DisplayWidth(dpy, scr), (unsigned)DisplayHeight(dpy, scr));
  if (!img || img->bits_per_pixel != 32) fail("needs a 24-bit screen (Xvfb -screen 0 WxHx24)");
  img_bytes = (size_t)img->bytes_per_line * (size_t)img->height;
  shm.shmid = shmget(IPC_PRIVATE, img_bytes, IPC_CREAT | 0600);
  if (shm.shmid < 0) fail("shmget failed");
  shm.shmaddr = img->data = shmat(shm.shmid, NULL, 0);
  shm.readOnly = False;
  if (shm.shmaddr == (char*)-1 || !XShmAttach(dpy, &shm)) fail("cannot attach shared memory to the X server");
  XSync(dpy, False);
  shmctl(shm.shmid, IPC_RMID, NULL); /* freed when the probe exits */
  prev = malloc(img_bytes);
  if (!prev) fail("out of memory");
  damage = XDamageCreate(dpy, root, XDamageReportNonEmpty);
  XSync(dpy, False);
}

/* Waits up to timeout_ms for something to be drawn. Returns 1 on damage, 0 on timeout.
   Damage is reset first, so the next drawing reports again. */
static int wait_damage(long timeout_ms) {
  long long deadline = now_ns() + timeout_ms * 1000000LL;
  for (;;) {
    int got = 0;
    while (XPending(dpy)) {
      XEvent ev;
      XNextEvent(dpy, &ev);
      if (ev.type == damage_event_base + XDamageNotify) got = 1;
    }
    if (got) {
      XDamageSubtract(dpy, damage, None, None);
      XFlush(dpy);
      return 1;
    }
    long long left = deadline - now_ns();
    if (left <= 0) return 0;
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(ConnectionNumber(dpy), &fds);
    struct timeval tv = {(time_t)(left / 1000000000LL), (suseconds_t)((left % 1000000000LL) / 1000)};
    if (select(ConnectionNumber(dpy) + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR) return 0;
  }
}

/* Grabs the screen; returns 1 if it differs from the last grab (which it then becomes). */
static int grab_changed(void) {
  if (!XShmGetImage(dpy, root, img, 0, 0, AllPlanes)) return 0;
  if (memcmp(prev, img->data, img_bytes) == 0) return 0;
  memcpy(prev, img->data, img_bytes);
  return 1;
}

static int colours_at_least(int limit) {
  uint32_t seen[MIN_COLOURS];
  int n = 0;
  for (int y = 0; y < img->height; y++) {
    const uint32_t* row = (const uint32_t*)(img->data + (size_t)y * (size_t)img->bytes_per_line);
    uint32_t last = 0xffffffffu;
    for (int x = 0; x < img->width; x++) {
      uint32_t v = row[x] & 0xffffffu;
      if (v == last) continue;
      last = v;
      int k = 0;
      while (k < n && seen[k] != v) k++;
      if (k == n) {
        seen[n++] = v;
        if (n >= limit) return 1;
      }
    }
  }
  return 0;
}

/* Waits until nothing has been drawn for quiet_ms (at most MAX_QUIET_WAIT_MS), then
   takes the screen as it is. Only damage wakes it: polling here would load the X server
   while the program may still be drawing. */
static void wait_quiet(long quiet_ms) {
  long long start = now_ns(), quiet_from = start;
  for (;;) {
    long long t = now_ns(), left_ms = quiet_ms - (t - quiet_from) / 1000000LL;
    if (left_ms <= 0 || t - start >= MAX_QUIET_WAIT_MS * 1000000LL) break;
    if (wait_damage(left_ms)) quiet_from = now_ns();
  }
  grab_changed();
}

static int has_class(Window w, const char* cls) {
  XWindowAttributes a;
  XClassHint h;
  int ok = 0;
  if (!XGetWindowAttributes(dpy, w, &a) || a.map_state != IsViewable) return 0;
  if (XGetClassHint(dpy, w, &h)) {
    ok = (h.res_name && strcasestr(h.res_name, cls)) || (h.res_class && strcasestr(h.res_class, cls));
    if (h.res_name) XFree(h.res_name);
    if (h.res_class) XFree(h.res_class);
  }
  return ok;
}

static Window find_window(const char* cls) {
  Window r, p, *kids = NULL, found = 0;
  unsigned int n = 0;
  if (!XQueryTree(dpy, root, &r, &p, &kids, &n)) return 0;
  for (unsigned int i = 0; i < n && !found; i++)
    if (has_class(kids[i], cls)) found = kids[i];
  if (kids) XFree(kids);
  return found;
}

static int run_start(long long t0, const char* cls, double timeout_s, long quiet_ms) {
  long long map_t = -1, painted_t = -1, last_change = -1;
  Window win = 0;
  grab_changed();
  for (;;) {
    wait_damage(SAFETY_POLL_MS);
    long long t = now_ns();
    if (!win && (win = find_window(cls)) != 0) map_t = t;
    if (grab_changed()) {
      last_change = t;
      if (win && painted_t < 0 && colours_at_least(MIN_COLOURS)) painted_t = t;
    }
    if (painted_t >= 0 && t - last_change >= quiet_ms * 1000000LL) break;
    if ((double)(t - t0) / 1e9 > timeout_s) {
      fprintf(stderr, "tap_probe: no painted %s window after %.0f s\n", cls, timeout_s);
      return 3;
    }
  }
  printf("map_ms=%.1f\npainted_ms=%.1f\nstable_ms=%.1f\nwindow=%lu\n", (double)(map_t - t0) / 1e6,
         (double)(painted_t - t0) / 1e6, (double)(last_change - t0) / 1e6, (unsigned long)win);
  return 0;
}

/* Sum of on-CPU ns of every thread of one process. */
static long long threads_ns(pid_t pid) {
  char path[64];
  long long sum = 0;
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR* d = opendir(path);
  if (!d) return 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char p2[320];
    snprintf(p2, sizeof p2, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
    FILE* f = fopen(p2, "r");
    if (!f) continue;
    long long ns = 0;
    if (fscanf(f, "%lld", &ns) == 1) sum += ns;
    fclose(f);
  }
  closedir(d);
  return sum;
}

static int environ_has(pid_t pid, const char* needle, size_t needle_len) {
  static char buf[1 << 17];
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  for (ssize_t i = 0; i < n;) {
    size_t len = strnlen(buf + i, (size_t)(n - i));
    if (len == needle_len && memcmp(buf + i, needle, len) == 0) return 1;
    i += (ssize_t)len + 1;
  }
  return 0;
}

/* The measured program: every process whose environment holds needle, and all their
   descendants (Chromium starts its zygotes with a cleaned environment, and its crashpad
   handlers leave the tree with setsid, so neither rule alone finds every process). */
#define MAX_PROCS 8192
static int tagged_pids(const char* needle, pid_t* out, int max) {
  static pid_t pids[MAX_PROCS], parents[MAX_PROCS];
  static char in_set[MAX_PROCS];
  size_t len = strlen(needle);
  int n = 0;
  DIR* d = opendir("/proc");
  if (!d) return 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL && n < MAX_PROCS) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    pid_t pid = (pid_t)atoi(e->d_name);
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0) continue;
    buf[got] = 0;
    const char* rp = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    char state;
    int ppid;
    if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || state == 'Z') continue;
    pids[n] = pid;
    parents[n] = (pid_t)ppid;
    in_set[n] = pid != getpid() && environ_has(pid, needle, len);
    n++;
  }
  closedir(d);
  for (int changed = 1; changed;) { /* spread to descendants until nothing new */
    changed = 0;
    for (int i = 0; i < n; i++) {
      if (in_set[i]) continue;
      for (int j = 0; j < n; j++)
        if (in_set[j] && pids[j] == parents[i]) {
          in_set[i] = 1;
          changed = 1;
          break;
        }
    }
  }
  int k = 0;
  for (int i = 0; i < n && k < max; i++)
    if (in_set[i]) out[k++] = pids[i];
  return k;
}

static long long tagged_ns(const char* needle) {
  pid_t set[512];
  int n = tagged_pids(needle, set, 512);
  long long sum = 0;
  for (int i = 0; i < n; i++) sum += threads_ns(set[i]);
  return sum;
}

static int run_pids(const char* tag) {
  char needle[256];
  pid_t set[512];
  snprintf(needle, sizeof needle, "BENCH_TAG=%s", tag);
  int n = tagged_pids(needle, set, 512);
  for (int i = 0; i < n; i++) printf("%d\n", (int)set[i]);
  return 0;
}

static int run_taps(const char* tag, pid_t xserver, long quiet_ms, int n, char** points) {
  char needle[256];
  snprintf(needle, sizeof needle, "BENCH_TAG=%s", tag);
  int safety_hits = 0;
  grab_changed();
  wait_quiet(quiet_ms);
  for (int i = 0; i < n; i++) {
    int x, y;
    if (sscanf(points[i], "%d,%d", &x, &y) != 2) {
      fprintf(stderr, "tap_probe: not a point: %s\n", points[i]);
      return 2;
    }
    long long cpu0 = tagged_ns(needle), x0 = xserver > 0 ? threads_ns(xserver) : 0;
    XTestFakeMotionEvent(dpy, -1, x, y, CurrentTime);
    XSync(dpy, False);
    wait_quiet(quiet_ms); /* hover effects are drawn and done before the tap */
    grab_changed();
    XDamageSubtract(dpy, damage, None, None);
    long long t_press = now_ns();
    XTestFakeButtonEvent(dpy, 1, True, CurrentTime);
    XTestFakeButtonEvent(dpy, 1, False, CurrentTime);
    XSync(dpy, False);
    long long t_change = -1;
    while (now_ns() - t_press < CHANGE_TIMEOUT_MS * 1000000LL) {
      int woke = wait_damage(SAFETY_POLL_MS);
      long long t = now_ns();
      if (grab_changed()) {
        t_change = t;
        if (!woke) safety_hits++;
        break;
      }
    }
    wait_quiet(quiet_ms);
    long long cpu1 = tagged_ns(needle), x1 = xserver > 0 ? threads_ns(xserver) : 0;
    printf("tap %d %d %d %.2f %.2f %.2f\n", i + 1, x, y, t_change < 0 ? -1.0 : (double)(t_change - t_press) / 1e6,
           (double)(cpu1 - cpu0) / 1e6, (double)(x1 - x0) / 1e6);
    fflush(stdout);
  }
  /* Damage should announce every change; if it did not, latencies carry up to 20 ms of polling. */
  if (safety_hits) fprintf(stderr, "tap_probe: %d change(s) seen without damage\n", safety_hits);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 6 && strcmp(argv[1], "start") == 0) {
    open_screen();
    return run_start(atoll(argv[2]), argv[3], atof(argv[4]), atol(argv[5]));
  }
  if (argc >= 6 && strcmp(argv[1], "taps") == 0) {
    open_screen();
    return run_taps(argv[2], (pid_t)atoi(argv[3]), atol(argv[4]), argc - 5, argv + 5);
  }
  if (argc == 3 && strcmp(argv[1], "pids") == 0) return run_pids(argv[2]);
  fprintf(stderr,
          "usage: tap_probe start T0_NS CLASS TIMEOUT_S QUIET_MS\n"
          "       tap_probe taps TAG XSERVER_PID QUIET_MS X,Y [X,Y ...]\n"
          "       tap_probe pids TAG\n");
  return 2;
}
