#include "hub_keys.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "kiosk/crypto.hpp"

namespace kiosk::hub {
namespace {

Error config_error(const std::string& m) { return make_error(ErrorKind::Config, m); }
std::string sys_error() { return std::strerror(errno); }

// A key directory others may write to lets them plant a key of their own.
Status check_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return config_error(dir + ": " + sys_error());
  if (!S_ISDIR(st.st_mode)) return config_error(dir + ": not a directory");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return config_error(dir + ": group or others may write to this key directory (chmod 0700 it)");
  return {};
}

Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  // Created with its final mode (the umask can only narrow it), never widened later.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return config_error(path + ": " + sys_error());
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const std::string why = sys_error();
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return config_error(path + ": " + why);
  }
  return {};
}

Result<std::string> read_small_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return config_error(path + ": cannot read: " + sys_error());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > 65536) break;
  }
  ::close(fd);
  return out;
}

}  // namespace

Result<std::string> generate_hub_key(const std::string& dir) {
  if (auto st = crypto_init(); !st) return st.error();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return config_error(dir + ": " + sys_error());
  if (auto st = check_dir(dir); !st) return st.error();
  SealSecretKey k = generate_seal_key();
  const std::string id = k.pub.id;
  std::string secret = format_secret_key(k);
  auto st = write_new_file(dir + "/" + id + ".key", secret, 0600);
  std::fill(secret.begin(), secret.end(), '\0');
  if (!st) return st.error();
  if (auto p = write_new_file(dir + "/" + id + ".pub", format_public_key(k.pub), 0644); !p) return p.error();
  // The switch to the new key is one rename: a hub starting meanwhile sees the old or the new, never neither.
  const std::string tmp = dir + "/." + std::string(kCurrentKeyFile) + ".tmp";
  ::unlink(tmp.c_str());
  if (auto c = write_new_file(tmp, id + ".key\n", 0644); !c) return c.error();
  if (::rename(tmp.c_str(), (dir + "/" + kCurrentKeyFile).c_str()) != 0)
    return config_error(dir + "/" + kCurrentKeyFile + ": " + sys_error());
  return id;
}

Result<HubKeys> load_hub_keys(const std::string& dir) {
  if (auto st = crypto_init(); !st) return st.error();
  if (auto st = check_dir(dir); !st) return st.error();
  DIR* d = ::opendir(dir.c_str());
  if (!d) return config_error(dir + ": " + sys_error());
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".key") == 0 && n[0] != '.') names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  HubKeys keys;
  for (const auto& n : names) {
    const std::string path = dir + "/" + n;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return config_error(path + ": " + sys_error());
    if (!S_ISREG(st.st_mode)) return config_error(path + ": not a regular file");
    if (st.st_mode & 077)
      return config_error(path + ": others may read or write this secret key (mode " +
                          std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                          std::to_string(st.st_mode & 7) + "; chmod 0600 it)");
    if (st.st_uid != ::geteuid()) return config_error(path + ": owned by another user than the hub's");
    auto text = read_small_file(path);
    if (!text) return text.error();
    auto k = parse_secret_key(*text, path);
    std::fill(text->begin(), text->end(), '\0');
    if (!k) return make_error(ErrorKind::Config, k.message());
    if (k->pub.id + ".key" != n) return config_error(path + ": holds key " + k->pub.id + ", not the one its name says");
    keys.ring.add(*k);
  }
  const std::string current_path = dir + "/" + kCurrentKeyFile;
  auto current = read_small_file(current_path);
  if (!current || keys.ring.empty())
    return config_error(dir + ": no current sealing key: run kiosk-hub keygen --key-dir " + dir);
  std::string name = *current;
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  const std::string id = name.size() > 4 ? name.substr(0, name.size() - 4) : name;
  const SealSecretKey* k = keys.ring.find(id);
  if (!k || name != id + ".key")
    return config_error(current_path + ": names \"" + name + "\", which is not a key file in " + dir);
  keys.current = k->pub;
  keys.current_public = format_public_key(k->pub);
  keys.current_public.pop_back();
  return keys;
}

std::string seal_to_current(const HubKeys& keys, const std::string& plain) {
  return base64_encode(seal_bytes(keys.current, plain));
}

}  // namespace kiosk::hub
