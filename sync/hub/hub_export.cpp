// GET /api/v1/export: CSV and JSON Lines streamed from the database, the
// codebook, the workbook, the .sav and the consultation report.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "document_check.hpp"
#include "hub_api_impl.hpp"
#include "kiosk/export.hpp"
#include "kiosk/protocol.hpp"
#include "report.hpp"
#include "spss.hpp"
#include "workbook.hpp"

namespace kiosk::hub {

namespace {

// A private folder (0700) for opened responses and the file written from
// them, removed when done: in memory, never on a disk, where there is a
// memory filesystem: systemd's RuntimeDirectory (/run/kiosk-hub, as the
// package's unit sets), else /dev/shm; only failing both, TMPDIR or /tmp.
struct WorkDir {
  std::string path;
  WorkDir() {
    std::vector<std::string> places;
    if (const char* run = std::getenv("RUNTIME_DIRECTORY"); run && *run) places.emplace_back(run);
    places.emplace_back("/dev/shm");
    if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) places.emplace_back(tmp);
    places.emplace_back("/tmp");
    for (const auto& place : places) {
      std::string t = place + "/kiosk-hub-export-XXXXXX";  // mkdtemp's template: it fills in the Xs
      if (const char* made = mkdtemp(t.data())) {
        path = made;
        return;
      }
    }
  }
  ~WorkDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
};

}  // namespace

Reply Api::Impl::export_data(Request& req) {
  namespace fmt = protocol::format;
  const std::string format = req.has_param(protocol::kFormatParam) ? req.param(protocol::kFormatParam) : fmt::kCsv;
  const bool analyst_file =
      format == fmt::kXlsx || format == fmt::kSav || format == fmt::kReportPdf || format == fmt::kReportHtml;
  if (format != fmt::kCsv && format != fmt::kJsonl && format != fmt::kCodebook && !analyst_file)
    return error_reply(400, "format must be csv, jsonl, codebook, xlsx, sav, report-pdf or report-html");
  if (analyst_file && !survey_)
    return error_reply(409, "the workbook, the .sav and the report need the hub started with --survey FILE");
  if (format != fmt::kJsonl && !survey_)
    return error_reply(409, "CSV and codebook need the hub started with --survey FILE");
  // Every export is in the audit log, with the admin token's name: the
  // dataset leaves the hub there. No log, no export.
  const std::string actor = req.principal ? req.principal->name : std::string("?");
  if (auto st = store_.audit(actor, "export", "format " + format); !st)
    return error_reply(503, "could not write the audit log, so nothing was exported: " + st.message());
  if (analyst_file) return analyst_export(format);
  std::string out;
  if (format == fmt::kCodebook) {
    append_codebook(out, *survey_);
    return Reply{200, "text/csv; charset=utf-8", {}, std::move(out)};
  }
  // Streamed as the responses are read from the database, a piece at a
  // time: an export of any size holds about a megabyte of the hub's
  // memory. Each document is opened in memory as it goes: the plain text
  // exists only here and in the reply. A document that cannot be read, or
  // the database failing part-way, cuts the transfer off, so the client
  // sees an incomplete download, never a short file.
  Reply r{200,
          format == fmt::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson",
          {{"Content-Disposition", "attachment; filename=\"responses." + format + "\""}},
          {}};
  r.stream = [this, format](const Reply::Write& write, std::string& why) {
    constexpr std::size_t kPiece = 64 * 1024;
    std::string piece;
    std::optional<CsvLayout> layout;
    if (format == fmt::kCsv) {
      layout.emplace(*survey_);
      append_csv_header(piece, layout->cols);
    }
    bool client_left = false;
    std::string bad;
    auto st = for_each_opened(bad, [&](const std::string& doc) {
      if (format == fmt::kJsonl) {
        piece += doc;
        piece += '\n';
      } else {
        auto d = parse_canonical_document(doc);
        if (!d) {
          bad = d.message();
          return false;
        }
        if (d->first.survey_id == survey_->id) append_csv_row(piece, *layout, d->first, d->second);
      }
      if (piece.size() >= kPiece) {
        if (!write(piece)) return !(client_left = true);
        piece.clear();
      }
      return true;
    });
    if (!st || !bad.empty()) {
      why = !st ? st.message() : "a stored document could not be read: " + bad;
      std::fprintf(stderr, "kiosk-hub: export (%s) stopped: %s\n", format.c_str(), why.c_str());
      return false;
    }
    if (client_left) return false;
    return piece.empty() || write(piece);
  };
  return r;
}

Status Api::Impl::for_each_opened(std::string& bad, const std::function<bool(const std::string&)>& each) {
  return store_.for_each_document([&](const StoredDocument& stored) {
    auto opened = open_stored(stored);
    if (!opened) {
      bad = opened.message();
      return false;
    }
    return each(*opened);
  });
}

std::optional<Reply> Api::Impl::write_opened(const std::string& dir) {
  std::ofstream jsonl(dir + "/responses.jsonl", std::ios::binary);
  std::string bad;
  auto st = for_each_opened(bad, [&](const std::string& doc) {
    auto d = parse_canonical_document(doc);
    if (d && d->first.survey_id == survey_->id) jsonl << doc << '\n';
    return true;
  });
  if (!st) return error_reply(503, st.message());
  if (!bad.empty()) return error_reply(500, "a stored document could not be read: " + bad);
  if (!jsonl.flush()) return error_reply(503, "could not write the export's working file");
  return std::nullopt;
}

cli::OpenedFileOptions Api::Impl::analyst_options() const {
  cli::OpenedFileOptions o;
  o.population = opt_.population.get();
  for (const auto& sp : opt_.service_points) o.service_point_names[sp.id] = sp.name;
  o.time_zone.clear();  // the process's own (kiosk-hub serve sets Europe/London unless TZ is given)
  return o;
}

std::variant<std::monostate, cli::ReportDocument, Reply> Api::Impl::report_of(const ResponseScope& scope,
                                                                              const cli::ReportOptions& r,
                                                                              bool refresh) {
  std::optional<cli::ReportDocument> doc;
  auto st = cache_->use(refresh ? &store_ : nullptr, scope,
                        [&](const cli::OpenedResponses& from) { doc = cli::build_report(from, *survey_, r); });
  if (!st)
    return st.kind() == ErrorKind::Internal || st.kind() == ErrorKind::Config
               ? error_reply(500, "a stored document could not be read: " + st.message())
               : error_reply(503, st.message());
  if (doc) return std::move(*doc);
  return std::monostate{};
}

Reply Api::Impl::analyst_export(const std::string& format) {
  namespace fmt = protocol::format;
  if (format == fmt::kReportPdf || format == fmt::kReportHtml) return report_export(format == fmt::kReportPdf);
  WorkDir work;
  if (work.path.empty())
    return error_reply(503, "could not make a folder for the export: " + std::string(strerror(errno)));
  const std::string& dir = work.path;
  if (auto e = write_opened(dir)) return std::move(*e);
  cli::OpenedFileOptions o = analyst_options();
  std::string file, type, name;
  int rc = 0;
  if (format == fmt::kXlsx) {
    o.out = file = dir + "/responses.xlsx";
    type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    name = survey_->id + ".xlsx";
    rc = cli::workbook(dir, *survey_, o);
  } else {
    o.out = file = dir + "/responses.sav";
    type = "application/x-spss-sav";
    name = survey_->id + ".sav";
    rc = cli::spss(dir, *survey_, o);
  }
  if (rc != 0)
    return error_reply(409, "nothing to write: no completed responses of " + survey_->id +
                                " yet, or they could "
                                "not be read (the hub's log says which)");
  std::ifstream in(file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return error_reply(503, "could not read the file written for the export");
  return Reply{200, type, {{"Content-Disposition", "attachment; filename=\"" + name + "\""}}, std::move(body)};
}

Reply Api::Impl::report_export(bool pdf) {
  cli::ReportOptions r;
  r.file = analyst_options();
  auto made = report_of(ResponseScope{}, r);
  if (auto* e = std::get_if<Reply>(&made)) return std::move(*e);
  auto* doc = std::get_if<cli::ReportDocument>(&made);
  if (!doc) return error_reply(409, "nothing to write: no completed responses of " + survey_->id + " yet");
  const std::string name = survey_->id + "-report" + (pdf ? ".pdf" : ".html");
  const std::vector<std::pair<std::string, std::string>> disposition = {
      {"Content-Disposition", "attachment; filename=\"" + name + "\""}};
  if (!pdf) return Reply{200, "text/html; charset=utf-8", disposition, cli::report_html(*doc)};
  WorkDir work;
  if (work.path.empty())
    return error_reply(503, "could not make a folder for the report: " + std::string(strerror(errno)));
  const std::string file = work.path + "/report.pdf";
  if (!cli::write_report_pdf(*doc, file)) return error_reply(503, "could not write the report's PDF");
  std::ifstream in(file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return error_reply(503, "could not read the report written");
  return Reply{200, "application/pdf", disposition, std::move(body)};
}

}  // namespace kiosk::hub
