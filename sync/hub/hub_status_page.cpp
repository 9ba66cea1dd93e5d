// GET /status: the page council IT and the consultation officer keep open
// (kiosks, what arrived, what is missing, who answered), and its script.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "document_check.hpp"
#include "hub_api_impl.hpp"
#include "hub_ledger.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {

std::string Api::Impl::service_point_name(const std::string& id) const {
  for (const auto& sp : opt_.service_points)
    if (sp.id == id) return sp.name;
  return id;
}

const ServicePoint* Api::Impl::find_service_point(const std::string& id) const {
  for (const auto& sp : opt_.service_points)
    if (sp.id == id) return &sp;
  return nullptr;
}

std::int64_t Api::Impl::open_minutes(const ServicePoint* sp, std::chrono::system_clock::time_point from,
                                     std::chrono::system_clock::time_point to) {
  using std::chrono::minutes;
  const auto span = std::chrono::duration_cast<minutes>(to - from).count();
  if (span <= 0) return 0;
  if (!sp || sp->opening.always_open()) return span;
  const std::int64_t n = std::min<std::int64_t>(span, 7 * 24 * 60);
  std::int64_t open = 0;
  for (std::int64_t m = 0; m < n; ++m)
    if (sp->opening.open_at(local_minute_of_week(to - minutes(m + 1)))) ++open;
  return open;
}

Reply Api::Impl::status_page(Request&) {
  auto devices = store_.devices();
  auto total = store_.response_count();
  auto conflicts = store_.conflict_count();
  // Counted from the tallies: completed responses of the survey served (document_check.hpp).
  auto counts = survey_ ? status_counts(store_, *survey_) : Result<StatusCounts>(StatusCounts{});
  auto quarantined = store_.quarantine_count();
  auto latest_refused = store_.quarantine_latest(10);
  auto ledger_rows = store_.ledger();
  auto audit = store_.audit_log(10);
  if (!devices || !total || !conflicts || !counts || !quarantined || !latest_refused || !ledger_rows || !audit)
    return error_reply(503, "database unavailable");
  const auto now = clock_.now();
  auto parse_utc = [](const std::string& utc) -> std::optional<std::chrono::system_clock::time_point> {
    std::tm tm{};
    if (utc.empty() || !strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
  };
  auto ago = [&](const std::string& utc) -> std::string {
    if (utc.empty()) return "never";
    auto t = parse_utc(utc);
    if (!t) return utc;
    const auto sec = std::chrono::duration_cast<std::chrono::seconds>(now - *t).count();
    if (sec < 90) return std::to_string(sec) + " s ago";
    if (sec < 5400) return std::to_string(sec / 60) + " min ago";
    if (sec < 172800) return std::to_string(sec / 3600) + " h ago";
    return std::to_string(sec / 86400) + " days ago";
  };
  auto bars = [&](const std::string& caption, const std::vector<Tally>& rows,
                  const std::function<std::string(const std::string&)>& label) {
    std::int64_t max = 1;
    for (const auto& r : rows) max = std::max(max, r.count);
    std::string h = "<table class=bars><caption>" + html_escape(caption) + "</caption>";
    for (const auto& r : rows) {
      const int pct = static_cast<int>(100 * r.count / max);
      h += "<tr><th scope=row>" + html_escape(label(r.key)) +
           "</th><td><div class=bar style=\"width:" + std::to_string(pct) + "%\"></div></td><td class=num>" +
           std::to_string(r.count) + "</td></tr>";
    }
    if (rows.empty()) h += "<tr><td>No responses yet.</td></tr>";
    return h + "</table>";
  };
  auto age_label = [&](const std::string& code) -> std::string {
    if (code.empty()) return "Not given";
    if (survey_ && !survey_->age_question.empty())
      if (const Option* o = survey_->find(survey_->age_question)->find_option(code))
        return survey_->text(o->label, survey_->default_locale);
    return code;
  };
  std::map<std::string, const LedgerRow*> ledger_of;
  for (const auto& r : *ledger_rows) ledger_of[r.kiosk] = &r;

  std::string h =
      "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
      "content=\"width=device-width,initial-scale=1\">"
      "<title>kiosk-hub status</title><style>"
      "body{font:17px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1b1b;background:#fff;max-width:70rem}"
      "h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:2px solid #1d4f91}"
      ".tiles{display:flex;flex-wrap:wrap;gap:.6rem;list-style:none;padding:0}.tile{border:2px solid "
      "#1d4f91;border-radius:.5rem;padding:.5rem .9rem}"
      ".tile b{display:block;font-size:1.6rem}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}"
      "caption{text-align:left;font-weight:600;padding:.3rem 0}"
      "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #bbb;vertical-align:top}"
      ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.bars "
      "th{width:35%;font-weight:normal}"
      ".bar{background:#1d4f91;height:1.1rem;border-radius:3px;min-width:2px}.warn{color:#a4000f;font-weight:600}"
      ".ok{color:#0b6b2b;font-weight:600}small{color:#444}nav a{margin-right:1rem}a{color:#1d4f91}"
      // On a phone each kiosk becomes a card: label on the left, value on the right.
      "@media(max-width:640px){.kiosks tr:first-child{display:none}.kiosks tr{display:block;border-bottom:2px solid "
      "#1d4f91;padding:.4rem 0}.kiosks td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:"
      ".15rem .3rem;text-align:right}.kiosks td::before{content:attr(data-label);font-weight:600;text-align:left}}"
      "</style></head><body><header><h1>kiosk-hub status</h1><p><small>" +
      html_escape(store_.backend()) + " &middot; " + html_escape(format_utc(now)) +
      (survey_ ? " &middot; survey " + html_escape(survey_->id) + " " + html_escape(survey_->version) : "") +
      " &middot; the figures below update every minute</small> <button type=button id=pause "
      "aria-pressed=false>Pause updates</button></p>"
      "<nav aria-label=\"Exports\"><a href=\"" +
      std::string(route::kExport) + "?format=csv\">Export as CSV</a><a href=\"" + route::kExport +
      "?format=jsonl\">Export as JSON Lines</a><a href=\"" + route::kExport +
      "?format=codebook\">Codebook</a><a href=\"" + route::kExport + "?format=xlsx\">Excel workbook</a><a href=\"" +
      route::kExport + "?format=sav\">SPSS file (.sav)</a><a href=\"" + route::kExport +
      "?format=report-pdf\">Consultation report (PDF)</a><a href=\"" + route::kExport +
      "?format=report-html\">Consultation report (HTML)</a><a href=\"" + route::kResultsPage +
      "\">Results page</a><a href=\"" + route::kLedger + "\">Ledger (JSON)</a></nav></header><main>";
  h += "<ul class=tiles><li class=tile><b>" + std::to_string(*total) + "</b>responses</li><li class=tile><b>" +
       std::to_string(devices->size()) + "</b>kiosks</li><li class=tile><b" + (*conflicts ? " class=warn" : "") + ">" +
       std::to_string(*conflicts) + "</b>conflicts</li><li class=tile><b" + (*quarantined ? " class=warn" : "") + ">" +
       std::to_string(*quarantined) + "</b>refused documents</li></ul>";
  h += "<h2>Kiosks</h2><div class=scroll><table class=kiosks><tr><th scope=col>Kiosk</th><th scope=col>Service "
       "point</th><th scope=col>Last heartbeat</th><th scope=col>Version</th><th scope=col class=num>Waiting to "
       "sync</th><th scope=col "
       "class=num>At hub</th><th scope=col>Responses missing</th><th scope=col>Health</th></tr>";
  for (const auto& d : *devices) {
    std::vector<std::string> problems;
    const LedgerRow* lr = ledger_of.count(d.name) ? ledger_of[d.name] : nullptr;
    if (d.last_seen_utc.empty()) {
      problems.push_back(d.responses > 0 ? "No heartbeat yet (its responses arrive)" : "Never connected");
    } else if (auto seen = parse_utc(d.last_seen_utc);
               seen && open_minutes(find_service_point(d.service_point), *seen, now) > 60) {
      problems.push_back("No heartbeat for over an hour of opening time");
    }
    if (!d.last_error.empty()) problems.push_back(d.last_error);
    // After an upgrade, council IT sees which kiosks still run the old version.
    if (!d.app_version.empty() && d.app_version != KIOSK_VERSION)
      problems.push_back("Runs version " + d.app_version + "; this hub runs " + KIOSK_VERSION);
    if (d.oldest_pending_age_seconds > 3600) problems.push_back("Responses waiting over an hour");
    if (d.free_disk_bytes >= 0 && d.free_disk_bytes < 500LL * 1024 * 1024)
      problems.push_back("Disk nearly full: " + std::to_string(d.free_disk_bytes / (1024 * 1024)) + " MB free");
    std::string missing = "none";
    if (lr && lr->missing > 0) {
      missing = std::to_string(lr->missing) + " of " + std::to_string(lr->numbered_up_to) + ": " +
                format_ranges(lr->missing_ranges, lr->missing);
      problems.push_back("Responses missing: numbers " + format_ranges(lr->missing_ranges, lr->missing) +
                         (lr->missing_since_utc.empty() ? "" : ", since " + ago(lr->missing_since_utc)));
    }
    std::string health = "<span class=ok>OK</span>";
    if (!problems.empty()) {
      health.clear();
      for (const auto& p : problems)
        health += (health.empty() ? "" : "<br>") + ("<span class=warn>" + html_escape(p) + "</span>");
    }
    h += "<tr><td data-label=Kiosk>" + html_escape(d.name) + "</td><td data-label=\"Service point\">" +
         html_escape(d.service_point.empty() ? std::string("not known yet") : service_point_name(d.service_point)) +
         "</td><td data-label=\"Last heartbeat\">" + html_escape(ago(d.last_seen_utc)) +
         "</td><td data-label=Version>" +
         html_escape(d.app_version.empty() ? std::string("not known yet") : d.app_version) +
         "</td><td class=num data-label=\"Waiting to sync\">" + std::to_string(d.pending) +
         "</td><td class=num data-label=\"At hub\">" + std::to_string(d.responses) +
         "</td><td data-label=\"Responses missing\">" + html_escape(missing) + "</td><td data-label=Health>" + health +
         "</td></tr>";
  }
  if (devices->empty())
    h += "<tr><td colspan=8>No kiosks yet: add one with <code>kiosk-hub add-device NAME</code>.</td></tr>";
  h += "</table></div>";
  // The quarantine, newest first; never part of the summary or exports.
  h += "<h2>Refused documents</h2><p><small>Kept in the quarantine, not in the summary or exports: " +
       std::to_string(*quarantined) + " in all.</small></p>";
  if (!latest_refused->empty()) {
    h += "<div class=scroll><table><caption>The latest refused</caption><tr><th scope=col>Received</th><th "
         "scope=col>Kiosk</th><th scope=col>Response</th><th scope=col>Why</th><th scope=col>Content</th></tr>";
    // The content itself is never shown here: it is sealed (or, from a hub
    // without keys, kept as sent) and read only with the keys, off this page.
    for (const auto& q : *latest_refused)
      h += "<tr><td>" + html_escape(q.received_utc) + "</td><td>" + html_escape(q.device) + "</td><td>" +
           html_escape(q.uuid.empty() ? "(whole request)" : q.uuid) + "</td><td>" + html_escape(q.reason) +
           "</td><td>" + html_escape(q.key_id.empty() ? "kept as sent" : "sealed (key " + q.key_id + ")") +
           "</td></tr>";
    h += "</table></div>";
  }
  h += "<h2>Admin actions</h2>";
  if (audit->empty()) {
    h += "<p>None yet.</p>";
  } else {
    h += "<div class=scroll><table><caption>The latest, newest first (<code>kiosk-hub audit</code> lists them "
         "all)</caption><tr><th scope=col>When</th><th scope=col>Who</th><th scope=col>What</th></tr>";
    for (const auto& a : *audit)
      h += "<tr><td>" + html_escape(a.at_utc) + "</td><td>" + html_escape(a.actor) + "</td><td>" +
           html_escape(a.action + (a.detail.empty() ? "" : ": " + a.detail)) + "</td></tr>";
    h += "</table></div>";
  }
  h += "<h2>Responses by service point</h2>" + bars("Completed responses by service point", counts->by_service_point,
                                                    [&](const std::string& id) { return service_point_name(id); });
  // Age bands in the survey's own order, "Not given" last.
  std::vector<Tally> ages = counts->by_age_band;
  auto rank = [&](const std::string& code) -> size_t {
    if (survey_ && !survey_->age_question.empty()) {
      const auto& opts = survey_->find(survey_->age_question)->options;
      for (size_t i = 0; i < opts.size(); ++i)
        if (opts[i].code == code) return i;
    }
    return code.empty() ? 1000 : 999;
  };
  std::stable_sort(ages.begin(), ages.end(), [&](const Tally& a, const Tally& b) { return rank(a.key) < rank(b.key); });
  if (opt_.population && survey_)
    h += representativeness_html();
  else
    h += "<h2>Respondents by age</h2><p><small>Compare with the area's population (give the hub --population FILE "
         "for the comparison itself).</small></p>" +
         bars("Completed responses by age band", ages, age_label);
  h += std::string("</main>") +
       // Updates itself for an officer who leaves it open (the figures, not
       // the whole page, and a button pauses it: WCAG 2.2.1, no timed
       // reload). The browser sends the same Basic credentials.
       "<script src=\"" + route::kStatusScript + "\"></script></body></html>";
  return Reply{200, "text/html; charset=utf-8", {}, std::move(h)};
}

Reply Api::Impl::status_script(Request&) {
  static const char kScript[] =
      "(function(){var paused=false,b=document.getElementById('pause');"
      "b.addEventListener('click',function(){paused=!paused;b.setAttribute('aria-pressed',String(paused));"
      "b.textContent=paused?'Resume updates':'Pause updates';});"
      "setInterval(function(){if(paused)return;fetch(location.href,{credentials:'same-origin'})"
      ".then(function(r){return r.ok?r.text():null;}).then(function(t){if(!t)return;"
      "var m=new DOMParser().parseFromString(t,'text/html').querySelector('main');"
      "if(m)document.querySelector('main').innerHTML=m.innerHTML;});},60000);})();\n";
  return Reply{200, "text/javascript; charset=utf-8", {{"Cache-Control", "max-age=3600"}}, kScript};
}

}  // namespace kiosk::hub
