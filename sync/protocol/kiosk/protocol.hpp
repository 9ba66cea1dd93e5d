// The kiosk-hub wire protocol, v1: the one place the sync client and the hub
// take their routes, JSON field names, receipt states and header names from,
// so the two sides cannot drift apart by a typo. Changing a value here
// changes the protocol: old kiosks in libraries would stop understanding the
// hub, so a change means a new API version, not an edit.
//
// Sections: 1. version and routes  2. headers and media types  3. JSON fields
//           4. receipt states  5. export formats
#pragma once

namespace kiosk::protocol {

// ---- 1. Version and routes ---------------------------------------------------

// Every JSON reply of the hub carries {"api": kApiVersion}; a 200 without it
// is a captive portal or a proxy, not a receipt.
inline constexpr char kApiVersion[] = "kiosk-hub/1";

namespace route {
inline constexpr char kApiBase[] = "/api/v1";
inline constexpr char kResponses[] = "/api/v1/responses";                    // POST: a batch; receipts back
inline constexpr char kHeartbeat[] = "/api/v1/heartbeat";                    // POST: the kiosk's health
inline constexpr char kSurvey[] = "/api/v1/survey";                          // GET, with ETag / If-None-Match
inline constexpr char kExport[] = "/api/v1/export";                          // GET ?format=..., admin token
inline constexpr char kSummary[] = "/api/v1/summary";                        // GET, admin token
inline constexpr char kRepresentativeness[] = "/api/v1/representativeness";  // GET, admin token
inline constexpr char kFigures[] = "/api/v1/figures";  // GET, kiosk token: its service point's representativeness
inline constexpr char kStatusPage[] = "/";             // HTML, admin token as Basic password
inline constexpr char kStatusScript[] =
    "/status.js";  // the status page's updater (its CSP allows only scripts from the hub)
inline constexpr char kResultsPage[] = "/results";   // HTML, admin token as Basic password; ?service_point=&from=&to=
inline constexpr char kHealthz[] = "/healthz";       // no token
inline constexpr char kMetrics[] = "/metrics";       // Prometheus, no token
inline constexpr char kLedger[] = "/api/v1/ledger";  // GET, admin token: per kiosk, numbers missing
}  // namespace route

// Query parameter of route::kExport.
inline constexpr char kFormatParam[] = "format";

// ---- 2. Headers and media types ----------------------------------------------

namespace header {
inline constexpr char kAuthorization[] = "Authorization";
inline constexpr char kBearerPrefix[] = "Bearer ";  // followed by the token
inline constexpr char kBasicPrefix[] = "Basic ";    // browsers: any user, the admin token as password
inline constexpr char kWwwAuthenticate[] = "WWW-Authenticate";
inline constexpr char kAccept[] = "Accept";
inline constexpr char kContentType[] = "Content-Type";
inline constexpr char kContentEncoding[] = "Content-Encoding";
inline constexpr char kRetryAfter[] = "Retry-After";
inline constexpr char kETag[] = "ETag";
inline constexpr char kIfNoneMatch[] = "If-None-Match";
inline constexpr char kAllow[] = "Allow";
}  // namespace header

inline constexpr char kJsonType[] = "application/json";
inline constexpr char kGzipEncoding[] = "gzip";

// ---- 3. JSON fields ------------------------------------------------------------

namespace field {
// In every reply.
inline constexpr char kApi[] = "api";
inline constexpr char kError[] = "error";
inline constexpr char kOk[] = "ok";
// Upload request: {"kiosk_id", "responses": [ITEM]}, where a sealed ITEM is
// {"uuid", "content_hash": SHA-256 hex of the sealed bytes, "key_id", "sealed":
// standard base64 of the sealed bytes (kiosk/seal.hpp)} and a plain ITEM, from
// a kiosk before sealing, {"uuid", "content_hash": SHA-256 hex of the document, "document"}.
inline constexpr char kKioskId[] = "kiosk_id";
inline constexpr char kResponses[] = "responses";
inline constexpr char kUuid[] = "uuid";
inline constexpr char kContentHash[] = "content_hash";
inline constexpr char kDocument[] = "document";
inline constexpr char kKeyId[] = "key_id";
inline constexpr char kSealed[] = "sealed";
// Upload reply: {"api", "committed": true, "receipts": [{"uuid", "status", "code", "receipt"?, "detail"?}]}.
inline constexpr char kCommitted[] = "committed";
inline constexpr char kReceipts[] = "receipts";
inline constexpr char kStatus[] = "status";
inline constexpr char kCode[] = "code";
inline constexpr char kReceipt[] = "receipt";
inline constexpr char kDetail[] = "detail";
// Heartbeat request.
inline constexpr char kServicePoint[] = "service_point";
inline constexpr char kAppVersion[] = "app_version";
inline constexpr char kLastError[] = "last_error";
inline constexpr char kPending[] = "pending";
inline constexpr char kOldestPendingAgeSeconds[] = "oldest_pending_age_seconds";
inline constexpr char kFreeDiskBytes[] = "free_disk_bytes";
inline constexpr char kHighestSeq[] = "highest_seq";  // the highest response number the kiosk has given
inline constexpr char kClockUtc[] = "clock_utc";      // the kiosk's clock when it sent the heartbeat
// Why a batch or an item was not taken, for programs (error replies and held items).
inline constexpr char kReason[] = "reason";
// Survey reply.
inline constexpr char kSurveyId[] = "survey_id";
inline constexpr char kVersion[] = "version";
inline constexpr char kEtag[] = "etag";
inline constexpr char kDefinition[] = "definition";
// The survey's translation files, {"pl": TEXT, ...}: each file as the hub read it (kiosk-config/README.md).
inline constexpr char kTranslations[] = "translations";
// The public key kiosks seal answers to: a public key file's line ("kiosk-seal-public-v1 ID KEY").
inline constexpr char kSealPublicKey[] = "seal_public_key";
// Summary reply: {"overall": TABLE, "by_service_point": {SP: TABLE}}, where TABLE is
// {"responses", "questions": [{"id", "text", "answered", "options": [{"code", "label", "count"}]}]}.
inline constexpr char kOverall[] = "overall";
inline constexpr char kByServicePoint[] = "by_service_point";
inline constexpr char kQuestions[] = "questions";
inline constexpr char kId[] = "id";
inline constexpr char kText[] = "text";
inline constexpr char kAnswered[] = "answered";
inline constexpr char kOptions[] = "options";
inline constexpr char kLabel[] = "label";
inline constexpr char kCount[] = "count";
}  // namespace field

// ---- 4. Receipt states -----------------------------------------------------------

// What the hub did with one uploaded response (field::kStatus of a receipt).
// Stored and Duplicate carry a receipt: only they mark a response synced.
namespace receipt {
inline constexpr char kStored[] = "stored";        // new; held now (item code 201)
inline constexpr char kDuplicate[] = "duplicate";  // same UUID and hash already held (200)
inline constexpr char kConflict[] = "conflict";    // same UUID, other content: kept aside (409)
inline constexpr char kRejected[] = "rejected";    // the document itself is wrong; the hub quarantines it (422)
// Not stored, for a cause outside the document (its survey version is not
// known to the hub yet, or it is sealed to a key the hub does not hold): the kiosk keeps it pending and sends it again
// once the cause is fixed (item code 503, with field::kReason).
inline constexpr char kHeld[] = "held";
}  // namespace receipt

// Values of field::kReason. A batch refused as a whole (401/403) is never the
// documents' fault: the kiosk keeps every response pending, stops, and tells staff.
namespace reason {
inline constexpr char kUnknownToken[] = "unknown_token";                   // 401
inline constexpr char kRevokedToken[] = "revoked_token";                   // 401
inline constexpr char kWrongDevice[] = "wrong_device";                     // 403: kiosk_id is not the token's device
inline constexpr char kUnknownSurveyVersion[] = "unknown_survey_version";  // held item
inline constexpr char kUnknownKey[] = "unknown_key";                       // held item: sealed to a key the hub lacks
// 503: the hub could not do it for a cause of its own. The reply says only
// which (its log has the detail); the kiosk keeps everything and tries again.
inline constexpr char kHubDiskFull[] = "hub_disk_full";
inline constexpr char kHubUnavailable[] = "hub_unavailable";  // its database did not answer, or failed
inline constexpr char kHubBusy[] = "hub_busy";                // its memory for uploads is in use by others
}  // namespace reason

// ---- 5. Export formats -------------------------------------------------------------

namespace format {
inline constexpr char kCsv[] = "csv";
inline constexpr char kJsonl[] = "jsonl";
inline constexpr char kCodebook[] = "codebook";
// The analyst's files (kiosk-admin workbook, spss, report), from what the hub holds.
inline constexpr char kXlsx[] = "xlsx";
inline constexpr char kSav[] = "sav";
inline constexpr char kReportPdf[] = "report-pdf";
inline constexpr char kReportHtml[] = "report-html";
}  // namespace format

}  // namespace kiosk::protocol
