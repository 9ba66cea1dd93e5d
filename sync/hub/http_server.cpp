// kiosk-hub over libmicrohttpd. What a client can make the hub spend is
// bounded here, before any route runs:
// - event-driven polling threads: a connection costs a socket, not a thread;
// - the header block fits in --max-header-bytes (431 otherwise);
// - the token, route and Content-Length are judged on the headers alone and a
//   refusal goes out at once, the body never read;
// - the body arrives in chunks, capped as sent at --max-body (413), and is
//   inflated from gzip by the worker that handles it (never on a polling
//   thread), capped there too;
// - every body held in memory, as sent and inflated, from its first byte
//   until its reply, is charged to one budget for the whole hub
//   (--body-budget): an upload that would pass it is refused with 503 and
//   Retry-After, before its body is read when its length says so, so many
//   honest kiosks at once cannot take the hub's memory;
// - a request's headers must arrive within --request-timeout of the
//   connection opening (or its previous reply), however slowly they trickle;
//   past that, its body may go on only while it keeps arriving at
//   --min-upload-rate on average and never pauses that long: a reaper shuts
//   down the socket of any other;
// - connections are capped overall and per client address.
//
// Sections: 1. one request  2. one connection and the deadline  3. serve
#include "http_server.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "hub_api.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Threads that poll sockets and parse HTTP; handlers run on Workers.
constexpr int kPollingThreads = 2;
// Handlers of requests with a body running at once (Server::uploads).
constexpr int kUploadsAtOnce = 2;
// What a body sent in chunks (no Content-Length) is first charged to the budget.
constexpr std::size_t kFirstChunk = 64u << 10;

// One connection: when its current request began, for the deadline.
struct Conn {
  SteadyTime since;  // the connection opened, or its previous reply went out
  // The request's body: whether its headers are in, how many bytes of it
  // have arrived, and when the last did (the deadline's rate rule).
  bool in_body = false;
  std::uint64_t body_bytes = 0;
  SteadyTime last_byte;
  int fd = -1;
  bool answering = false;  // the request is in: a handler or the reply is running
  bool cut = false;
  bool linger = false;  // refused before its body was read: drain a while before closing
};

// A socket refused before its body was read, kept open a few seconds after
// libmicrohttpd is done with it, its input discarded unread. Closing at once
// with unread input makes the kernel reset the connection, and a client
// still sending its body (most do not read until they have sent it all)
// would see the reset instead of the 413 or 401. nginx calls this lingering
// close. Bounded in sockets and time; nothing is kept of what is read.
class Lingerer {
 public:
  Lingerer() : thread_([this] { run(); }) {}
  ~Lingerer() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    thread_.join();
    for (const auto& l : socks_) ::close(l.fd);
  }
  void add(int fd) {
    std::lock_guard lock(m_);
    if (socks_.size() >= kMaxSockets) {
      ::close(fd);
      return;
    }
    socks_.push_back({fd, std::chrono::steady_clock::now() + kLinger});
  }

 private:
  static constexpr size_t kMaxSockets = 256;
  static constexpr std::chrono::seconds kLinger{5};
  struct Sock {
    int fd;
    std::chrono::steady_clock::time_point until;
  };
  void run() {
    char scratch[64 * 1024];
    for (;;) {
      std::vector<pollfd> p;
      {
        std::lock_guard lock(m_);
        if (stop_) return;
        for (const auto& l : socks_) p.push_back({l.fd, POLLIN, 0});
      }
      if (p.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      ::poll(p.data(), p.size(), 50);
      std::lock_guard lock(m_);
      const auto now = std::chrono::steady_clock::now();
      for (auto it = socks_.begin(); it != socks_.end();) {
        bool done = now > it->until;
        for (;;) {
          const ssize_t n = ::recv(it->fd, scratch, sizeof scratch, MSG_DONTWAIT);
          if (n > 0) continue;
          if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) done = true;
          break;
        }
        if (done) {
          ::close(it->fd);
          it = socks_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  std::mutex m_;
  bool stop_ = false;
  std::vector<Sock> socks_;
  std::thread thread_;
};

// Handlers run here, not on the polling threads: a polling thread suspends
// the connection, a worker computes the reply and resumes it, so a slow
// handler (an upload waiting for fsync, an export) never holds up the other
// connections that thread serves, such as a /healthz.
class Workers {
 public:
  explicit Workers(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
  }
  ~Workers() { stop(); }
  void post(std::function<void()> job) {
    {
      std::lock_guard lock(m_);
      if (!stopping_) {
        jobs_.push_back(std::move(job));
        cv_.notify_one();
        return;
      }
    }
    job();  // shutting down: run it here rather than leave a connection suspended
  }
  // Finishes every queued job, then joins.
  void stop() {
    {
      std::lock_guard lock(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(m_);
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The bytes of request bodies held in memory, as sent and inflated, across
// every connection and worker, against --body-budget.
class BodyBudget {
 public:
  explicit BodyBudget(std::size_t limit) : limit_(limit) {}
  bool take(std::size_t n) {
    std::lock_guard lock(m_);
    if (n > limit_ - used_) return false;
    used_ += n;
    return true;
  }
  void give(std::size_t n) {
    std::lock_guard lock(m_);
    used_ -= std::min(n, used_);
  }

 private:
  std::mutex m_;
  const std::size_t limit_;
  std::size_t used_ = 0;
};

struct Server {
  Api& api;
  const ServeOptions& opt;
  const Clock& clock;
  std::mutex m;
  std::set<Conn*> conns;
  Lingerer lingerer;
  BodyBudget budget{opt.body_budget_bytes};  // before the workers: their last jobs use it
  // Quick routes (/healthz, /metrics, the survey) have workers of their own,
  // so they never queue behind uploads and exports.
  Workers quick{2}, heavy{opt.threads};
  // Token look-ups, on the headers: the database is asked here, never on a
  // polling thread. When it does not answer these wait; /healthz does not.
  Workers tokens{2};
  // Requests with a body (uploads, heartbeats) on at most two workers of
  // their own: an upload's handler needs several times its body while it
  // parses, opens and checks each response (about 65 MB for a batch of the
  // largest size), so how many run at once bounds the hub's memory beside
  // --body-budget; and SQLite takes one writer at a time anyway.
  Workers uploads{std::min(opt.threads, kUploadsAtOnce)};
  // Upload handlers running now: when the last of a burst ends, what they
  // freed is handed back to the system (return_memory).
  std::atomic<int> uploads_running{0};
  std::atomic<bool> large_upload_done{false};  // since memory was last handed back
  std::atomic<bool> stopping{false};           // set at shutdown: streamed replies stop early
};

// malloc keeps what a burst of uploads freed in its arenas for reuse, so the
// hub would stay at its peak long after the load. When no upload handler is
// left running and one of them had a batch of some size (not only
// heartbeats), the free pages go back to the system: a few milliseconds of
// one upload worker, never a polling thread.
constexpr std::uint64_t kLargeUpload = 64 * 1024;
void return_memory() { malloc_trim(0); }

// A reply body made on a worker while MHD sends it (Reply::stream). At most
// kAhead bytes wait to be sent: the worker waits while the client is behind,
// and the connection is suspended while the worker is behind, so an export
// of any size holds about a megabyte.
struct BodyStream {
  static constexpr std::size_t kAhead = 1 << 20;
  std::mutex m;
  std::condition_variable room;
  std::string queued;  // made, not yet sent, from `from`
  std::size_t from = 0;
  bool done = false, failed = false;
  bool gone = false;     // MHD has let the reply go: the client left, or it was all sent
  bool waiting = false;  // the connection is suspended for want of data
  MHD_Connection* c = nullptr;

  // On the worker. Suspending and resuming both happen under `m`, so the
  // connection is resumed only once it was suspended.
  bool write(std::string_view piece, const std::atomic<bool>& stopping) {
    std::unique_lock lock(m);
    while (!gone && !stopping && queued.size() - from >= kAhead)
      room.wait_for(lock, std::chrono::milliseconds(250));  // looks at `stopping` now and then
    if (gone || stopping) return false;
    queued.append(piece);
    wake();
    return true;
  }
  void finish(bool complete) {
    std::lock_guard lock(m);
    done = true;
    failed = !complete;
    wake();
  }
  // The reply is let go (sent, or its connection ended): the worker stops.
  void let_go() {
    std::lock_guard lock(m);
    gone = true;
    room.notify_all();
  }
  void wake() {
    if (waiting && !gone) {
      waiting = false;
      MHD_resume_connection(c);
    }
  }
};

// MHD asks for the next bytes of a streamed reply, on a polling thread.
ssize_t read_stream(void* cls, std::uint64_t, char* buf, std::size_t max) {
  BodyStream& st = **static_cast<std::shared_ptr<BodyStream>*>(cls);
  std::lock_guard lock(st.m);
  const std::size_t ready = st.queued.size() - st.from;
  if (ready > 0) {
    const std::size_t n = std::min(ready, max);
    std::memcpy(buf, st.queued.data() + st.from, n);
    st.from += n;
    if (st.from == st.queued.size()) {
      st.queued.clear();
      st.from = 0;
    } else if (st.from >= BodyStream::kAhead) {
      st.queued.erase(0, st.from);
      st.from = 0;
    }
    st.room.notify_one();
    return static_cast<ssize_t>(n);
  }
  if (st.done) return st.failed ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
  st.waiting = true;  // nothing yet: parked until the worker writes (no busy loop)
  MHD_suspend_connection(st.c);
  return 0;
}

void free_stream(void* cls) {
  auto* st = static_cast<std::shared_ptr<BodyStream>*>(cls);
  (*st)->let_go();
  delete st;
}

// ---- 1. One request ------------------------------------------------------------

struct Exchange {
  explicit Exchange(BodyBudget& b) : budget(b) {}
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
  Request req;
  SteadyTime t0;
  std::optional<std::uint64_t> content_length;
  std::uint64_t received = 0;  // body bytes as sent
  bool gzip = false;
  std::optional<Reply> refusal;        // decided while the body came in; sent once it is all in
  std::optional<Reply> reply;          // set by a worker, sent when the connection resumes
  std::shared_ptr<BodyStream> stream;  // the reply's body, while a worker still makes it
  bool working = false;
  bool has_body = false;
  bool replied = false;  // a reply has been queued
  // The token is being looked up on a worker (the connection suspended);
  // then `early` holds its refusal, if any.
  bool authorizing = false;
  std::optional<Reply> early;
  BodyBudget& budget;
  std::size_t charged = 0;  // bytes of this request's body held, charged to the budget
  // Charges `total` bytes held (more or fewer than before); false, with
  // nothing more charged, when the budget has no room for the rise.
  bool charge(std::size_t total) {
    if (total > charged) {
      if (!budget.take(total - charged)) return false;
    } else {
      budget.give(charged - total);
    }
    charged = total;
    return true;
  }
  ~Exchange() {
    budget.give(charged);
    if (stream) stream->let_go();  // the connection ended before or while its body was sent
  }
};

Conn* conn_of(MHD_Connection* c) {
  const MHD_ConnectionInfo* i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return i ? static_cast<Conn*>(i->socket_context) : nullptr;
}

MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<Request*>(cls)->headers.emplace_back(key, value ? value : "");
  return MHD_YES;
}

MHD_Result collect_arg(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<Request*>(cls)->query.emplace(key, value ? value : "");
  return MHD_YES;
}

void free_string(void* p) { delete static_cast<std::string*>(p); }

// `unread_body`: the reply goes before the body was read (a refusal).
MHD_Result send(Server& s, MHD_Connection* c, Exchange& x, Reply r, bool unread_body = false) {
  x.replied = true;
  if (Conn* conn = conn_of(c)) {
    std::lock_guard lock(s.m);
    conn->answering = true;
    conn->linger = conn->linger || unread_body;
  }
  MHD_Response* resp = nullptr;
  if (x.stream) {
    // Size unknown: sent chunked, so a transfer cut short is seen as such.
    auto* cls = new std::shared_ptr<BodyStream>(x.stream);
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, &read_stream, cls, &free_stream);
    if (!resp) {
      free_stream(cls);
      return MHD_NO;
    }
  } else {
    auto* body = new std::string(std::move(r.body));
    const size_t body_size = body->size();
    resp = MHD_create_response_from_buffer_with_free_callback_cls(body_size, body->data(), &free_string, body);
    if (!resp) {
      delete body;
      return MHD_NO;
    }
  }
  if (!r.content_type.empty()) MHD_add_response_header(resp, protocol::header::kContentType, r.content_type.c_str());
  for (const auto& [k, v] : r.headers) MHD_add_response_header(resp, k.c_str(), v.c_str());
  // Every reply is what its type says; a page (the status and results
  // pages, the report) runs no inline script and only the hub's own
  // (/status.js), loads nothing from elsewhere, posts its forms only here
  // and is never framed (clickjacking).
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  if (r.content_type.rfind("text/html", 0) == 0) {
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
                            "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  }
  const MHD_Result queued = MHD_queue_response(c, static_cast<unsigned>(r.status), resp);
  MHD_destroy_response(resp);
  const double seconds = std::chrono::duration<double>(s.clock.steady() - x.t0).count();
  s.api.metrics().request(x.req.route_label, r.status, seconds);
  std::fprintf(stderr, "%s %s %s %d %llu\n", format_utc(s.clock.now()).c_str(), x.req.method.c_str(),
               x.req.path.c_str(), r.status, static_cast<unsigned long long>(x.received));
  return queued;
}

Reply too_large(const ServeOptions& opt, const std::string& what) {
  return error_reply(413, "request body too large: " + what + " (at most " + std::to_string(opt.max_body_bytes) +
                              " bytes; --max-body)");
}

// The hub is using its whole --body-budget: try again soon, at a moment of
// the kiosk's own (Retry-After from 2 to 6 s, so that many kiosks refused
// together do not all come back together).
Reply busy(const std::string& what) {
  Reply r;
  r.status = 503;
  r.content_type = protocol::kJsonType;
  r.body = nlohmann::json{{protocol::field::kApi, protocol::kApiVersion},
                          {protocol::field::kError,
                           "the hub is busy with other uploads (" + what + "); nothing was taken: try again shortly"},
                          {protocol::field::kReason, protocol::reason::kHubBusy}}
               .dump();
  static std::atomic<unsigned> turn{0};
  r.headers.emplace_back(protocol::header::kRetryAfter, std::to_string(2 + turn++ % 5));
  return r;
}

// On a worker: the gzip body as sent, inflated in its place (RFC 1952:
// members one after another), both charged to the budget as it grows. A
// refusal: corrupt or cut-short data (400), more than --max-body inflated
// (413), or no room left in the budget (503).
std::optional<Reply> inflate_body(const ServeOptions& opt, Exchange& x) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return error_reply(503, "cannot start inflating the body");
  std::string out;
  std::string& in = x.req.body;
  zs.next_in = reinterpret_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  bool ended = false;
  char buf[64 * 1024];
  std::optional<Reply> refused;
  while (zs.avail_in > 0) {
    if (ended) {
      inflateReset(&zs);
      ended = false;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      refused = error_reply(400, std::string("the gzip body is corrupt: ") + (zs.msg ? zs.msg : "bad data"));
      break;
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > opt.max_body_bytes) {
      refused = too_large(opt, "more than " + std::to_string(opt.max_body_bytes) + " bytes once inflated");
      break;
    }
    if (!x.charge(in.capacity() + out.capacity())) {
      refused = busy("no room to inflate this body");
      break;
    }
    if (rc == Z_STREAM_END) ended = true;
    if (rc == Z_BUF_ERROR && zs.avail_out != 0) break;  // wants more input, and there is none
  }
  inflateEnd(&zs);
  if (!refused && !ended && !in.empty()) refused = error_reply(400, "the gzip body ends before its end");
  std::string().swap(in);
  if (refused) {
    x.charge(0);
    return refused;
  }
  out.shrink_to_fit();
  in.swap(out);
  x.charge(in.capacity());
  return std::nullopt;
}

// The headers' checks once the route and token are known: the length and
// encoding, and the body's first charge to the budget. A refusal goes now,
// the body unread.
MHD_Result admit(Server& s, MHD_Connection* c, Exchange& x) {
  const std::string cl = x.req.header("Content-Length");
  if (!cl.empty()) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), n);
    if (ec != std::errc() || end != cl.data() + cl.size())
      return send(s, c, x, error_reply(400, "Content-Length is not a number: " + cl), true);
    if (n > s.opt.max_body_bytes) return send(s, c, x, too_large(s.opt, std::to_string(n) + " bytes"), true);
    x.content_length = n;
  }
  const std::string enc = x.req.header(protocol::header::kContentEncoding);
  if (strcasecmp(enc.c_str(), protocol::kGzipEncoding) == 0) {
    x.gzip = true;
  } else if (!enc.empty() && strcasecmp(enc.c_str(), "identity") != 0) {
    return send(s, c, x, error_reply(415, "Content-Encoding must be gzip or none, not " + enc), true);
  }
  // A body to keep: its length (or a first chunk's worth, when it comes
  // in chunks) must fit the budget now, or it is refused unread.
  if (x.has_body && s.api.takes_body(x.req)) {
    const std::size_t first = x.content_length ? static_cast<std::size_t>(*x.content_length) : kFirstChunk;
    if (!x.charge(first)) {
      Reply r = busy("no room for a body of " + std::to_string(first) + " bytes");
      r.headers.emplace_back("Connection", "close");
      return send(s, c, x, std::move(r), true);
    }
    if (x.content_length) x.req.body.reserve(first);
  }
  return MHD_YES;
}

// A refusal on the headers: without a body it waits for the (immediate)
// last call, which keeps the connection alive; with one it goes now, unread.
MHD_Result refuse_early(Server& s, MHD_Connection* c, Exchange& x, Reply r) {
  if (x.has_body) return send(s, c, x, std::move(r), true);
  x.refusal = std::move(r);
  return MHD_YES;
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                      const char* upload_data, size_t* upload_data_size, void** con_cls) {
  Server& s = *static_cast<Server*>(cls);
  auto* x = static_cast<Exchange*>(*con_cls);
  try {
    if (!x) {
      // The headers alone: every refusal that does not need the body goes now.
      x = new Exchange(s.budget);
      *con_cls = x;
      x->t0 = s.clock.steady();
      x->req.method = method;
      x->req.path = url;
      MHD_get_connection_values(c, MHD_HEADER_KIND, &collect_header, &x->req);
      MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, &collect_arg, &x->req);
      if (Conn* conn = conn_of(c)) {
        std::lock_guard lock(s.m);
        conn->in_body = true;
        conn->last_byte = std::chrono::steady_clock::now();
      }
      // Request smuggling (RFC 9112, 6.3): a body framed two ways (a length
      // and chunks) or given two lengths is refused before any of it is
      // read, and the connection closed after the reply, so no byte of it
      // can be taken for a second request.
      size_t lengths = 0, encodings = 0;
      for (const auto& [k, v] : x->req.headers) {
        lengths += strcasecmp(k.c_str(), "Content-Length") == 0;
        encodings += strcasecmp(k.c_str(), "Transfer-Encoding") == 0;
      }
      if (lengths > 1 || (lengths > 0 && encodings > 0)) {
        Reply r = error_reply(400, lengths > 1 ? "the request gives Content-Length more than once"
                                               : "the request gives both Content-Length and Transfer-Encoding");
        r.headers.emplace_back("Connection", "close");
        return send(s, c, *x, std::move(r), true);
      }
      const std::string cl = x->req.header("Content-Length");
      x->has_body = !x->req.header("Transfer-Encoding").empty() || (!cl.empty() && cl != "0");
      if (auto early = s.api.route(x->req)) return refuse_early(s, c, *x, std::move(*early));
      if (s.api.needs_token(x->req)) {
        // The token is looked up on a worker of its own, never here: a
        // polling thread waiting on a slow database would stall every
        // connection it serves, /healthz among them.
        x->authorizing = true;
        MHD_suspend_connection(c);
        s.tokens.post([&s, c, x] {
          x->early = s.api.authorize(x->req);
          MHD_resume_connection(c);
        });
        return MHD_YES;
      }
      return admit(s, c, *x);
    }
    if (x->authorizing) {
      // Resumed: the token has been looked up.
      x->authorizing = false;
      if (x->early) {
        const bool unread = x->has_body;
        const MHD_Result r = refuse_early(s, c, *x, std::move(*x->early));
        if (unread) {
          *upload_data_size = 0;
          return r;
        }
      } else if (const MHD_Result r = admit(s, c, *x); r != MHD_YES || x->replied) {
        *upload_data_size = 0;
        return r;
      }
      // libmicrohttpd calls again as it did on the headers (no body bytes
      // yet); the body and the last call follow as for any request.
      if (*upload_data_size == 0) return MHD_YES;
    }
    if (*upload_data_size > 0) {
      const size_t n = *upload_data_size;
      *upload_data_size = 0;
      x->received += n;
      if (Conn* conn = conn_of(c)) {
        std::lock_guard lock(s.m);
        conn->body_bytes += n;
        conn->last_byte = std::chrono::steady_clock::now();
      }
      if (x->received > s.opt.max_body_bytes) {
        // Only a chunked body gets here (a Content-Length was checked):
        // there is no bound on the rest, so close rather than read it.
        std::fprintf(stderr, "%s %s %s closed: chunked body over %zu bytes\n", format_utc(s.clock.now()).c_str(),
                     x->req.method.c_str(), x->req.path.c_str(), s.opt.max_body_bytes);
        s.api.metrics().request(x->req.route_label, 413, 0);
        return MHD_NO;
      }
      if (x->refusal) return MHD_YES;  // discarded: at most the cap
      if (!s.api.takes_body(x->req)) return MHD_YES;
      x->req.body.append(upload_data, n);
      if (!x->charge(std::max(x->charged, x->req.body.capacity()))) {
        // A body longer than it said, or sent in chunks, past the budget:
        // what came is freed and the rest discarded.
        x->refusal = busy("no room for the rest of this body");
        std::string().swap(x->req.body);
        x->charge(0);
      }
      return MHD_YES;
    }
    // The whole request is in.
    if (x->working) {
      // Resumed: the worker has finished.
      x->working = false;
      return send(s, c, *x, x->reply ? std::move(*x->reply) : error_reply(500, "internal error: no reply"));
    }
    if (Conn* conn = conn_of(c)) {
      std::lock_guard lock(s.m);
      conn->answering = true;
    }
    if (x->refusal) return send(s, c, *x, std::move(*x->refusal));
    x->working = true;
    MHD_suspend_connection(c);
    Workers& pool = s.api.quick(x->req) ? s.quick : s.api.takes_body(x->req) ? s.uploads : s.heavy;
    const bool upload = &pool == &s.uploads;
    if (upload) ++s.uploads_running;
    pool.post([&s, c, x, upload] {
      if (upload && x->received >= kLargeUpload) s.large_upload_done = true;
      std::optional<Reply> refused;
      if (x->gzip && x->received > 0 && s.api.takes_body(x->req)) refused = inflate_body(s.opt, *x);
      x->reply = refused ? std::move(*refused) : s.api.finish(x->req);
      if (x->reply->stream) {
        // The headers go with the first piece, and the body follows as this
        // worker makes it. From that resume on, `x` may be gone: only the
        // stream is used.
        auto make = std::move(x->reply->stream);
        auto st = std::make_shared<BodyStream>();
        st->c = c;
        x->stream = st;
        bool started = false;
        std::string why;
        const bool complete = make(
            [&](std::string_view piece) {
              if (!started) {
                started = true;
                MHD_resume_connection(c);
              }
              return st->write(piece, s.stopping);
            },
            why);
        if (started) {
          st->finish(complete);
        } else {  // nothing sent yet: a plain reply, saying what went wrong if it did
          x->stream.reset();
          if (!complete) x->reply = error_reply(503, why);
          MHD_resume_connection(c);
        }
      } else {
        MHD_resume_connection(c);
      }
      if (upload && --s.uploads_running == 0 && s.large_upload_done.exchange(false)) return_memory();
    });
    return MHD_YES;
  } catch (const std::exception& e) {
    // Out of memory or a bug in the glue: this connection closes, the hub carries on.
    std::fprintf(stderr, "kiosk-hub: error on %s %s: %s\n", method, url, e.what());
    return MHD_NO;
  }
}

void on_completed(void* cls, MHD_Connection* c, void** con_cls, MHD_RequestTerminationCode) {
  Server& s = *static_cast<Server*>(cls);
  delete static_cast<Exchange*>(*con_cls);
  *con_cls = nullptr;
  if (Conn* conn = conn_of(c)) {
    std::lock_guard lock(s.m);
    conn->answering = false;
    conn->since = std::chrono::steady_clock::now();
    conn->in_body = false;
    conn->body_bytes = 0;
  }
}

// ---- 2. One connection and the deadline ------------------------------------------

void on_connection(void* cls, MHD_Connection* c, void** socket_context, MHD_ConnectionNotificationCode code) {
  Server& s = *static_cast<Server*>(cls);
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    auto* conn = new Conn;
    conn->since = std::chrono::steady_clock::now();
    if (const MHD_ConnectionInfo* i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD))
      conn->fd = i->connect_fd;
    *socket_context = conn;
    std::lock_guard lock(s.m);
    s.conns.insert(conn);
    s.api.metrics().connection_opened();
  } else {
    auto* conn = static_cast<Conn*>(*socket_context);
    if (!conn) return;
    {
      std::lock_guard lock(s.m);
      s.conns.erase(conn);
      s.api.metrics().connection_closed();
    }
    // libmicrohttpd closes its descriptor after this call; a duplicate keeps
    // the socket open for the lingerer.
    if (conn->linger && !conn->cut && conn->fd >= 0) {
      const int dup = ::fcntl(conn->fd, F_DUPFD_CLOEXEC, 0);
      if (dup >= 0) s.lingerer.add(dup);
    }
    delete conn;
    *socket_context = nullptr;
  }
}

// Shuts down (not closes: the descriptor stays libmicrohttpd's) every
// connection whose request has not arrived in time; its polling thread then
// sees the end of the stream and closes it. Under the lock, so a connection
// cannot close and its descriptor be reused in between.
class Reaper {
 public:
  explicit Reaper(Server& s) : s_(s), thread_([this] { run(); }) {}
  ~Reaper() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void run() {
    const auto limit = std::chrono::seconds(s_.opt.request_timeout_seconds);
    const double min_rate = static_cast<double>(s_.opt.min_upload_rate);
    std::unique_lock lock(m_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; })) {
      const auto now = std::chrono::steady_clock::now();
      std::lock_guard conns_lock(s_.m);
      for (Conn* c : s_.conns) {
        if (c->answering || c->cut || c->fd < 0 || now - c->since <= limit) continue;
        // Past the deadline, a body still arriving, at --min-upload-rate on
        // average since the request began and with no pause as long as the
        // deadline, goes on: a kiosk on a slow line delivers. Headers not
        // yet in, a body that stopped, or one that trickles, are cut.
        const double elapsed = std::chrono::duration<double>(now - c->since).count();
        if (min_rate > 0 && c->in_body && now - c->last_byte <= limit &&
            static_cast<double>(c->body_bytes) >= min_rate * elapsed)
          continue;
        ::shutdown(c->fd, SHUT_RDWR);
        c->cut = true;
      }
    }
  }

  Server& s_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// ---- 3. Serve --------------------------------------------------------------------

void log_mhd(void*, const char* fmt, va_list ap) {
  std::fputs("kiosk-hub: ", stderr);
  std::vfprintf(stderr, fmt, ap);
}

// Our own listening socket: any address getaddrinfo understands, a full
// backlog, and the port known before "listening on" is printed.
int listen_on(const std::string& bind, int port, int& bound_port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  if (getaddrinfo(bind.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) return -1;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  bound_port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return fd;
}

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

template <typename F>
MHD_OptionItem fn_option(MHD_OPTION o, F* fn, void* cls) {
  return MHD_OptionItem{o, reinterpret_cast<intptr_t>(fn), cls};
}

}  // namespace

int serve(Api& api, const ServeOptions& opt, const Clock& clock, const std::string& backend,
          const ServeControl* control) {
  const bool tls = !opt.cert_file.empty();
  std::string cert, key;
  if (tls) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
      std::cerr << "kiosk-hub: this libmicrohttpd was built without TLS; serve behind a TLS proxy instead\n";
      return 1;
    }
    auto c = slurp(opt.cert_file), k = slurp(opt.key_file);
    if (!c || !k) {
      std::cerr << "kiosk-hub: cannot read " << (!c ? opt.cert_file : opt.key_file) << "\n";
      return 1;
    }
    cert = std::move(*c);
    key = std::move(*k);
  }

  Server server{api, opt, clock, {}, {}, {}};

  int port = 0;
  const int listen_fd = listen_on(opt.bind, opt.port, port);
  if (listen_fd < 0) {
    std::cerr << "kiosk-hub: cannot listen on " << opt.bind << ":" << opt.port << " (in use, or not allowed)\n";
    return 1;
  }

  // SIGINT and SIGTERM are taken by sigwait below: blocked here, before any
  // thread starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (!control) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<MHD_OptionItem> o = {
      fn_option(MHD_OPTION_EXTERNAL_LOGGER, &log_mhd, nullptr),  // first, or MHD logs before it is set
      {MHD_OPTION_LISTEN_SOCKET, listen_fd, nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE, kPollingThreads, nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(opt.max_connections), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(opt.max_connections_per_address), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, opt.idle_timeout_seconds, nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(opt.max_header_bytes), nullptr},
      {MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, nullptr},
      fn_option(MHD_OPTION_NOTIFY_CONNECTION, &on_connection, &server),
      fn_option(MHD_OPTION_NOTIFY_COMPLETED, &on_completed, &server),
  };
  if (tls) {
    o.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, cert.data()});
    o.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, key.data()});
  }
  o.push_back({MHD_OPTION_END, 0, nullptr});
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
  if (tls) flags |= MHD_USE_TLS;
  MHD_Daemon* d =
      MHD_start_daemon(flags, 0, nullptr, nullptr, &on_request, &server, MHD_OPTION_ARRAY, o.data(), MHD_OPTION_END);
  if (!d) {
    ::close(listen_fd);
    if (tls)
      std::cerr << "kiosk-hub: could not set up TLS with " << opt.cert_file << " and " << opt.key_file << "\n";
    else
      std::cerr << "kiosk-hub: could not start the HTTP server\n";
    return 1;
  }
  int status = 0;
  {
    Reaper reaper(server);
    char where[256];
    std::snprintf(where, sizeof where, "listening on %s://%s:%d (%s)", tls ? "https" : "http", opt.bind.c_str(), port,
                  backend.c_str());
    if (control) {
      if (control->listening) control->listening(port);
      api.warm_up();
      pollfd stop{control->stop_fd, POLLIN, 0};
      while (::poll(&stop, 1, -1) < 0 && errno == EINTR) {
      }
    } else {
      std::printf("%s\n", where);
      std::fflush(stdout);
      // Under systemd (Type=notify): ready once it listens. Nothing otherwise.
      sd_notify(0, (std::string("READY=1\nSTATUS=") + where).c_str());
      api.warm_up();  // after the signal mask is set: its thread inherits it
      int sig = 0;
      if (sigwait(&stop_signals, &sig) != 0) status = 1;
      sd_notify(0, "STOPPING=1\nSTATUS=stopping: requests in hand finish first");
    }
  }
  // No new connections; requests in the workers finish and their
  // connections resume before the daemon stops.
  MHD_quiesce_daemon(d);
  server.stopping = true;  // a streamed export still being sent is cut off, not waited for
  server.tokens.stop();    // first: a connection it resumes may still hand its request to the others
  server.uploads.stop();
  server.quick.stop();
  server.heavy.stop();
  MHD_stop_daemon(d);
  ::close(listen_fd);
  return status;
}

}  // namespace kiosk::hub
