// What kiosks send and fetch: POST /api/v1/responses (a batch, each
// document opened in memory, checked and stored sealed), the heartbeat, and
// GET /api/v1/survey.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "document_check.hpp"
#include "hub_api_impl.hpp"
#include "hub_keys.hpp"
#include "hub_ledger.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {

Reply Api::Impl::upload(Request& req) {
  const auto& who = req.principal;
  // A body that does not parse strictly (duplicate keys, invalid UTF-8, a
  // number out of range) is refused and kept in the quarantine.
  json body;
  if (auto p = parse_strict_json(req.body, body); !p.ok) {
    const std::string why =
        "the request body" + (p.field.empty() ? std::string(" is ") : " at " + p.field + ": ") + p.words;
    (void)store_.quarantine(who->name, {sealed_for_quarantine(quarantine_item("", why, req.body))});
    return error_reply(400, why);
  }
  // The parsed form is all that is read from here on: the text goes, so an
  // upload holds its batch once, not twice, while it is checked.
  std::string().swap(req.body);
  if (!body.is_object()) return error_reply(400, "the request body must be a JSON object");
  // Another device's batch is refused as a whole (403 wrong_device).
  if (auto refusal = refuse_batch(body, *who)) return json_reply(refusal->first, refusal->second);
  const std::string quoted = std::string("\"") + field::kResponses + "\"";
  if (!body.contains(field::kResponses)) return error_reply(400, quoted + " is missing");
  json& list = body[field::kResponses];
  if (!list.is_array()) return error_reply(400, quoted + " must be an array");
  if (list.size() > opt_.max_batch)
    return error_reply(413, "too many responses in one batch: " + std::to_string(list.size()) + " (at most " +
                                std::to_string(opt_.max_batch) + ")");
  // Structure first: a malformed request stores nothing at all. An item is
  // sealed (key_id and sealed) or, from a kiosk before sealing, plain (document).
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = field::kResponses + ("[" + std::to_string(i) + "]");
    if (!list[i].is_object()) return error_reply(400, at + " must be an object");
    const bool sealed = list[i].contains(field::kSealed) || list[i].contains(field::kKeyId);
    if (sealed && list[i].contains(field::kDocument))
      return error_reply(400, at + " carries both a sealed and a plain document");
    const std::vector<const char*> need =
        sealed ? std::vector<const char*>{field::kUuid, field::kContentHash, field::kKeyId, field::kSealed}
               : std::vector<const char*>{field::kUuid, field::kContentHash, field::kDocument};
    for (const char* f : need) {
      if (!list[i].contains(f)) return error_reply(400, at + "." + f + " is missing");
      if (!list[i][f].is_string()) return error_reply(400, at + "." + f + " must be a string");
    }
  }
  const std::string batch_kiosk = body.contains(field::kKioskId) && body[field::kKioskId].is_string()
                                      ? body[field::kKioskId].get<std::string>()
                                      : "";
  std::vector<Incoming> accepted;
  std::vector<ItemResult> results(list.size());
  std::vector<int> slot(list.size(), -1);
  std::vector<QuarantineItem> refused;
  for (size_t i = 0; i < list.size(); ++i) {
    // Each item's parsed form is freed once it has been taken or refused,
    // so the batch is not held both parsed and as documents to store.
    struct Release {
      json& item;
      ~Release() { item = nullptr; }
    } release{list[i]};
    ItemResult& r = results[i];
    r.uuid = list[i][field::kUuid].get<std::string>();
    Incoming in;
    in.uuid = r.uuid;
    in.content_hash = list[i][field::kContentHash].get<std::string>();
    // A sealed item is opened here, in memory only; what is stored stays sealed.
    std::optional<Sealed> sealed;
    if (list[i].contains(field::kSealed)) {
      sealed = Sealed{list[i][field::kKeyId].get<std::string>(), list[i][field::kSealed].get<std::string>(), {}};
      Verdict v = open_item(*sealed, in);
      if (v.kind != Verdict::Kind::Accept) {
        r.status = v.kind == Verdict::Kind::Hold ? ItemResult::Status::Held : ItemResult::Status::Rejected;
        r.detail = v.detail();
        r.reason = v.reason;
        if (r.status == ItemResult::Status::Rejected) {
          QuarantineItem q = quarantine_item(r.uuid, r.detail, sealed->text);
          q.key_id = printable_utf8(sealed->key_id, 100);
          refused.push_back(std::move(q));
        }
        continue;
      }
    } else {
      in.document = list[i][field::kDocument].get<std::string>();
    }
    // Each document checked against its survey (document_check.hpp).
    auto chk = check_item(registry_, trust_, who->role == "admin" ? batch_kiosk : who->name, batch_kiosk, std::move(in),
                          clock_.now(), who->service_point);
    if (chk.verdict.kind != Verdict::Kind::Accept) {
      // Another kiosk's document: the token is what is wrong, so the whole
      // batch is refused (403 wrong_device) and the kiosk keeps it pending.
      if (chk.verdict.field == "kiosk_id" && who->role != "admin")
        if (auto m = parse_canonical_document(chk.in.document); m)
          if (auto refusal = refuse_document_kiosk(m->first.kiosk_id, *who))
            return json_reply(refusal->first, refusal->second);
      r.status = chk.verdict.kind == Verdict::Kind::Hold ? ItemResult::Status::Held : ItemResult::Status::Rejected;
      r.detail = chk.verdict.detail();
      r.reason = chk.verdict.reason;
      if (r.status == ItemResult::Status::Rejected) {
        if (sealed) {
          QuarantineItem q = quarantine_item(r.uuid, r.detail, sealed->text);
          q.key_id = sealed->key_id;
          refused.push_back(std::move(q));
        } else {
          refused.push_back(sealed_for_quarantine(quarantine_item(r.uuid, r.detail, chk.in.document)));
        }
      }
      continue;
    }
    if (opt_.keys) {
      // Stored sealed: as the kiosk sealed it, or (a plain item from an
      // older kiosk) sealed here to the current key. The age band kept
      // beside each row for counting is an answer, so it goes too: the
      // summary and status page count from the tallies.
      if (sealed) {
        chk.in.document = base64_encode(sealed->bytes);
        chk.in.key_id = sealed->key_id;
      } else {
        chk.in.document = seal_to_current(*opt_.keys, chk.in.document);
        chk.in.key_id = opt_.keys->current.id;
      }
    }
    slot[i] = static_cast<int>(accepted.size());
    accepted.push_back(std::move(chk.in));
  }
  if (auto st = store_.quarantine(who->name, refused); !st)
    return unavailable("could not keep the refused documents (nothing was stored)", st.error());
  std::vector<ItemResult> stored;
  if (!accepted.empty()) {
    auto r = store_.ingest(who->name, accepted);
    if (!r) return unavailable("could not store the batch (nothing was stored)", r.error());
    stored = std::move(r).value();
  }
  json receipts = json::array();
  std::int64_t n_stored = 0, n_dup = 0, n_conf = 0, n_rej = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const ItemResult& r = slot[i] >= 0 ? stored[static_cast<size_t>(slot[i])] : results[i];
    json item{{field::kUuid, r.uuid}, {field::kStatus, to_string(r.status)}, {field::kCode, http_code(r.status)}};
    if (!r.receipt.empty()) item[field::kReceipt] = r.receipt;
    if (!r.detail.empty()) item[field::kDetail] = r.detail;
    if (!r.reason.empty()) item[field::kReason] = r.reason;
    receipts.push_back(std::move(item));
    switch (r.status) {
      case ItemResult::Status::Stored: ++n_stored; break;
      case ItemResult::Status::Duplicate: ++n_dup; break;
      case ItemResult::Status::Conflict: ++n_conf; break;
      case ItemResult::Status::Rejected: ++n_rej; break;
      case ItemResult::Status::Held: break;
    }
  }
  metrics.items(n_stored, n_dup, n_conf, n_rej);
  return json_reply(
      200,
      json{{field::kApi, protocol::kApiVersion}, {field::kCommitted, true}, {field::kReceipts, std::move(receipts)}});
}

Verdict Api::Impl::open_item(Sealed& s, Incoming& in) const {
  Verdict v;
  auto refuse = [&v](const char* f, std::string words) {
    v.kind = Verdict::Kind::Refuse;
    v.code = 422;
    v.field = f;
    v.words = std::move(words);
    return v;
  };
  if (!opt_.keys) {
    v.kind = Verdict::Kind::Hold;
    v.code = 503;
    v.reason = protocol::reason::kUnknownKey;
    v.words = "this hub holds no sealing keys yet (start it with --key-dir)";
    return v;
  }
  auto raw = base64_decode(s.text);
  if (!raw) return refuse(field::kSealed, "is not standard base64");
  s.bytes = std::move(*raw);
  if (sha256_hex(s.bytes) != in.content_hash)
    return refuse(field::kContentHash, "is not the SHA-256 of the sealed bytes");
  auto plain = opt_.keys->ring.open(s.key_id, s.bytes);
  if (!plain && plain.kind() == ErrorKind::NotFound) {
    v.kind = Verdict::Kind::Hold;
    v.code = 503;
    v.reason = protocol::reason::kUnknownKey;
    v.words = "sealed to key " + printable_utf8(s.key_id, 100) + ", which this hub does not hold";
    return v;
  }
  if (!plain)
    return refuse(field::kSealed,
                  "does not open with key " + s.key_id + " (altered, or sealed to another key with that id)");
  in.document = std::move(plain).value();
  in.content_hash = sha256_hex(in.document);
  v.kind = Verdict::Kind::Accept;
  v.code = 201;
  return v;
}

QuarantineItem Api::Impl::sealed_for_quarantine(QuarantineItem q) const {
  if (opt_.keys && q.key_id.empty()) {
    q.document = seal_to_current(*opt_.keys, q.document);
    q.key_id = opt_.keys->current.id;
  }
  return q;
}

Result<std::string> Api::Impl::open_stored(const StoredDocument& stored) const {
  if (stored.key_id.empty()) return stored.document;
  if (!opt_.keys)
    return make_error(ErrorKind::Config, "a stored response is sealed (key " + stored.key_id +
                                             ") and this hub was started without --key-dir");
  auto raw = base64_decode(stored.document);
  if (!raw) return make_error(ErrorKind::Internal, "a stored sealed response is not base64");
  auto plain = opt_.keys->ring.open(stored.key_id, *raw);
  if (!plain && plain.kind() == ErrorKind::NotFound)
    return make_error(ErrorKind::Config, "a stored response is sealed to key " + stored.key_id +
                                             ", which is not in the key directory (a key file removed?)");
  return plain;
}

Reply Api::Impl::heartbeat(Request& req) {
  const auto& who = req.principal;
  auto parsed = parse_json_body(req.body);
  if (!parsed) return error_reply(400, parsed.message());
  const json& b = *parsed;
  if (!b.is_object()) return error_reply(400, "the request body is not a JSON object");
  Heartbeat hb;
  try {
    hb.service_point = b.value(field::kServicePoint, "");
    hb.app_version = b.value(field::kAppVersion, "");
    hb.last_error = b.value(field::kLastError, "");
    // Counts are whole numbers a 64-bit signed integer holds: 2^64-1 or
    // 1e300 would otherwise wrap or be undefined on conversion.
    for (const char* f : {field::kPending, field::kOldestPendingAgeSeconds, field::kFreeDiskBytes}) {
      if (!b.contains(f)) continue;
      const json& v = b[f];
      const bool fits = v.is_number_integer() &&
                        (!v.is_number_unsigned() || v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX));
      if (!fits) return error_reply(400, std::string("heartbeat field \"") + f + "\" must be a whole number");
    }
    hb.pending = b.value(field::kPending, std::int64_t{0});
    hb.oldest_pending_age_seconds = b.value(field::kOldestPendingAgeSeconds, std::int64_t{0});
    hb.free_disk_bytes = b.value(field::kFreeDiskBytes, std::int64_t{-1});
  } catch (const json::exception& e) {
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return error_reply(400, "heartbeat field of the wrong type: " + what);
  }
  // The ledger's fields: the kiosk's highest response number and its clock.
  if (auto st = read_ledger_fields(b, hb, clock_.now()); !st) return error_reply(400, st.message());
  if (auto st = store_.heartbeat(who->name, hb, format_utc(clock_.now())); !st)
    return unavailable("could not record the heartbeat", st.error());
  return json_reply(200, json{{field::kApi, protocol::kApiVersion}, {field::kOk, true}});
}

Reply Api::Impl::survey(Request& req) {
  if (!survey_) return error_reply(404, "this hub serves no survey (start it with --survey FILE)");
  Reply r;
  if (req.header(header::kIfNoneMatch) == survey_etag_) {
    r.status = 304;
  } else {
    json body{{field::kApi, protocol::kApiVersion},
              {field::kSurveyId, survey_->id},
              {field::kVersion, survey_->version},
              {field::kEtag, survey_etag_},
              {field::kDefinition, survey_->source_text}};
    // What kiosks seal answers to (kiosk/seal.hpp); they check it before applying anything of this pull.
    if (opt_.keys) body[field::kSealPublicKey] = opt_.keys->current_public;
    // Checked by the hub's loader at start; the kiosk checks them again against the definition.
    body[field::kTranslations] = json::object();
    for (const auto& [locale, text] : survey_->translation_sources) body[field::kTranslations][locale] = text;
    r = json_reply(200, body);
  }
  r.headers.emplace_back(header::kETag, survey_etag_);
  return r;
}

}  // namespace kiosk::hub
