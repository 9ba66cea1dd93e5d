#include "kiosk/config_edit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "kiosk/config.hpp"

namespace kiosk {
namespace {

std::string quoted(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// "[name]" -> name; "" for anything else (arrays of tables included).
std::string table_header(const std::string& line) {
  const std::string t = trim(line);
  if (t.size() < 3 || t[0] != '[' || t[1] == '[') return {};
  const auto close = t.find(']');
  if (close == std::string::npos) return {};
  const std::string rest = trim(t.substr(close + 1));
  if (!rest.empty() && rest[0] != '#') return {};
  return trim(t.substr(1, close - 1));
}

bool is_header(const std::string& line) {
  const std::string t = trim(line);
  return !t.empty() && t[0] == '[';
}

// The key a "key = value" line sets, or "".
std::string line_key(const std::string& line) {
  const std::string t = trim(line);
  if (t.empty() || t[0] == '#' || t[0] == '[') return {};
  const auto eq = t.find('=');
  if (eq == std::string::npos) return {};
  return trim(t.substr(0, eq));
}

// Where a basic-string value ends, so a trailing comment can be kept.
std::string trailing_comment(const std::string& line) {
  const auto eq = line.find('=');
  bool in_str = false, esc = false;
  for (size_t i = eq + 1; i < line.size(); ++i) {
    const char c = line[i];
    if (in_str) {
      if (esc)
        esc = false;
      else if (c == '\\')
        esc = true;
      else if (c == '"')
        in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '#') {
      // Keep the spaces that aligned the comment.
      size_t s = i;
      while (s > eq + 1 && (line[s - 1] == ' ' || line[s - 1] == '\t')) --s;
      return line.substr(s);
    }
  }
  return {};
}

}  // namespace

Result<std::string> edit_toml_strings(const std::string& text, const std::string& section, const SettingEdits& edits) {
  std::vector<std::string> lines;
  {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  std::map<std::string, const SettingEdit*> unset_keys;
  for (const auto& e : edits) unset_keys[e.key] = &e;
  auto written = [](const SettingEdit& e) {
    if (e.literal && (e.value == "true" || e.value == "false" ||
                      (!e.value.empty() && e.value.find_first_not_of("-0123456789") == std::string::npos)))
      return e.value;
    return quoted(e.value);
  };
  for (const auto& e : edits)
    if (e.key.empty() || e.key.find_first_of(" =.#\"[]") != std::string::npos)
      return make_error(ErrorKind::Validation, "setting name '" + e.key + "' is not a plain TOML key");

  std::string current;
  long section_end = -1;  // index after the last line belonging to `section`
  bool found = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (is_header(lines[i])) {
      current = table_header(lines[i]);
      if (current == section) {
        found = true;
        section_end = static_cast<long>(i) + 1;
      }
      continue;
    }
    if (current != section) continue;
    const std::string key = line_key(lines[i]);
    if (!trim(lines[i]).empty()) section_end = static_cast<long>(i) + 1;
    auto it = unset_keys.find(key);
    if (key.empty() || it == unset_keys.end()) continue;
    const auto eq = lines[i].find('=');
    lines[i] = lines[i].substr(0, eq + 1) + " " + written(*it->second) + trailing_comment(lines[i]);
    unset_keys.erase(it);
  }
  std::vector<std::string> added;
  for (const auto& e : edits)
    if (unset_keys.count(e.key)) added.push_back(e.key + " = " + written(e));
  if (!found) {
    if (!lines.empty() && !trim(lines.back()).empty()) lines.push_back("");
    lines.push_back("[" + section + "]");
    lines.insert(lines.end(), added.begin(), added.end());
  } else {
    lines.insert(lines.begin() + section_end, added.begin(), added.end());
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

Status edit_config_file(const std::string& path, const std::string& section, const SettingEdits& edits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::Config, path + ": cannot read it");
  std::stringstream buf;
  buf << in.rdbuf();
  auto edited = edit_toml_strings(buf.str(), section, edits);
  if (!edited) return make_error(edited.kind(), path + ": " + edited.message());

  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return make_error(ErrorKind::Config, path + ": cannot read its permissions");
  const std::string tmp = path + ".new";
  // Made 0600 before anything is written: the copy holds the hub token, and
  // a umask-wide file would show it to every user until the chmod below.
  std::remove(tmp.c_str());
  if (const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600); fd >= 0)
    ::close(fd);
  else
    return make_error(ErrorKind::Config, tmp + ": cannot write beside " + path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return make_error(ErrorKind::Config, tmp + ": cannot write beside " + path);
    out << *edited;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return make_error(ErrorKind::DiskFull, tmp + ": cannot write it (disk full?)");
    }
  }
  // Secrets stay as private as they were: same mode, same owner and group.
  if (chmod(tmp.c_str(), st.st_mode & 07777) != 0 ||
      (chown(tmp.c_str(), st.st_uid, st.st_gid) != 0 && geteuid() == 0)) {
    std::remove(tmp.c_str());
    return make_error(ErrorKind::Config, tmp + ": cannot give it the permissions of " + path);
  }
  // The edit must still be a configuration the kiosk can load (relative paths
  // resolve the same: the copy sits in the same folder).
  if (auto c = load_config(tmp); !c) {
    std::remove(tmp.c_str());
    return make_error(ErrorKind::Config, path + ": the edited configuration would not load: " + c.message());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return make_error(ErrorKind::Config, path + ": cannot replace it");
  }
  return {};
}

}  // namespace kiosk
