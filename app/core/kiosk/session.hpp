// The session engine: one visitor's way through a survey.
//
// The session holds what the visitor answered (the UI holds only what the
// screen shows). Every change is handed to a ResponseSink first and applied in
// memory only once the sink says it is saved, so what the visitor sees is
// never ahead of what is on disk.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kiosk/clock.hpp"
#include "kiosk/result.hpp"
#include "kiosk/survey.hpp"

namespace kiosk {

struct Answer {
  std::vector<std::string> choices;  // option codes; one for single/likert/yes_no
  std::string text;                  // text and postcode questions
  std::string other_text;            // the "please specify" text of an other option
  bool empty() const { return choices.empty() && text.empty(); }
  bool has(std::string_view code) const;
  bool operator==(const Answer&) const = default;
};
using Answers = std::map<std::string, Answer>;

// Who, where and how: recorded with every response.
struct ResponseMeta {
  std::string uuid;  // assigned by Session::start
  std::string survey_id, survey_version;
  std::string kiosk_id, service_point;
  std::string locale = "en";
  std::string mode = "self";                         // "self" or "assisted"
  std::string staff_id;                              // when assisted
  std::vector<std::string> assistance;               // how staff helped: read_aloud, scribed, large_print, other
  std::map<std::string, std::string> accessibility;  // settings in use, e.g. text_scale=150
  std::string started_utc, ended_utc;
  // The kiosk's response number, given by the store when the response begins
  // (0: none, as in schema-1 documents and sessions without a store).
  std::int64_t seq = 0;
  std::string status = "completed";  // in the frozen document: "completed" or "abandoned"
};

// Where a session's changes go. The response store implements it (sealing
// what it keeps, so it never holds an answer in the clear); a null sink keeps
// everything in memory (simulation, previews). The session hands over the
// whole response each time: the store writes it sealed, as one blob, so it
// never needs the answers back.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Saves the start of a response and may number it (sets meta.seq).
  virtual Result<std::int64_t> begin_response(ResponseMeta& meta) = 0;
  // The response so far, saved as the abandoned document it would become if
  // the visit ended now (meta.ended_utc: the time of this save); it replaces
  // the previous draft, so after a crash the last draft is the abandoned response.
  virtual Status save_draft(std::int64_t id, const ResponseMeta& meta, const Answers& answers) = 0;
  // Freezes the completed document; returns its content hash as stored.
  virtual Result<std::string> complete_response(std::int64_t id, const ResponseMeta& meta, const Answers& answers) = 0;
  // Freezes the abandoned document (meta.ended_utc: when the visit ended).
  // `reason` is the program's own wording (timed out, left), never the visitor's.
  virtual Status abandon_response(std::int64_t id, const ResponseMeta& meta, const Answers& answers,
                                  const std::string& reason) = 0;
};

bool is_visible(const Question& q, const Answers& answers);
// Drops answers to questions that are hidden, in survey order; returns the ids dropped.
std::vector<std::string> prune_hidden(const Survey& survey, Answers& answers);
// How many questions a visitor is asked, fewest and most, over the answers
// to the questions that rules look at (each choice alone, or none unless the
// question is required; every
// combination of a multiple choice's answers when it has at most 6). `exact`
// is false when there were too many combinations to try them all.
struct PathLengths {
  std::size_t shortest = 0, longest = 0;
  bool exact = true;
};
PathLengths path_lengths(const Survey& survey);

// A sentence a visitor understands, or nothing if the answer is acceptable.
std::optional<std::string> validate_answer(const Question& q, const Answer& a, bool final_check);

// The frozen form of a closed response: canonical JSON (sorted keys,
// compact) whose SHA-256 is the content hash. The hub recomputes it. A
// numbered response (meta.seq > 0) is schema 2, carrying "seq" and "status"
// (completed or abandoned); an unnumbered one is schema 1, as before the
// ledger. Parsing accepts both: schema 1 reads as seq 0, status completed.
std::string canonical_document(const ResponseMeta& meta, const Answers& answers);
Result<std::pair<ResponseMeta, Answers>> parse_canonical_document(const std::string& json);

class Session {
 public:
  enum class Stage { Question, Review, Submitted, Abandoned };
  struct Progress {
    int position = 0;  // 1-based among visible questions
    int total = 0;
  };

  // Starts a response (saved at once, so even an untouched start is counted).
  static Result<std::unique_ptr<Session>> start(const Survey& survey, ResponseMeta meta, const Clock& clock,
                                                ResponseSink* sink);

  Stage stage() const { return stage_; }
  // The question on screen: for a matrix, its first item.
  const Question* current() const;
  // Every question on the current screen: the current question, or each
  // item of its matrix. A matrix is one screen: Next checks every item,
  // Back leaves it whole, the progress counts it once.
  std::vector<const Question*> current_screen() const;
  const Survey& survey() const { return survey_; }
  const ResponseMeta& meta() const { return meta_; }
  const Answers& answers() const { return answers_; }
  const Answer* answer_for(const std::string& question_id) const;
  std::vector<const Question*> visible_questions() const;
  Progress progress() const;
  std::int64_t response_id() const { return response_id_; }

  // Records the answer to the current question (or clears it when empty).
  // Fails with a sentence for the visitor when the answer breaks a limit.
  Status answer(Answer a);
  // The same for one question of the current screen (an item of a matrix).
  Status answer(const std::string& question_id, Answer a);
  // Moves on; fails with a sentence (answer needed, postcode format...).
  Status next();
  // Moves back; false when already at the first question.
  bool back();
  Status go_to_review();
  // From the review screen: change one answer, then Next returns to review.
  Status edit(const std::string& question_id);
  // Checks everything once more, freezes the document, saves it as completed.
  Status submit();
  Status abandon(const std::string& reason);

  // Assisted mode and accessibility settings may change mid-session.
  Status set_assisted(const std::string& staff_id, std::vector<std::string> assistance);
  Status set_accessibility(const std::string& key, const std::string& value);
  Status set_locale(const std::string& locale);

  // The content hash the store gave the frozen document (over its sealed
  // bytes); without a store, SHA-256 of the canonical document.
  const std::string& content_hash() const { return content_hash_; }

 private:
  Session(const Survey& s, ResponseMeta m, const Clock& c, ResponseSink* sink)
      : survey_(s), meta_(std::move(m)), clock_(c), sink_(sink) {}
  std::optional<size_t> next_visible(size_t from_exclusive) const;
  std::optional<size_t> prev_visible(size_t from_exclusive) const;
  size_t screen_first(size_t i) const;  // a matrix's first item, else i
  size_t screen_last(size_t i) const;   // a matrix's last item, else i
  Status save_draft(const Answers& answers);

  const Survey& survey_;
  ResponseMeta meta_;
  const Clock& clock_;
  ResponseSink* sink_;
  std::int64_t response_id_ = 0;
  Answers answers_;
  Stage stage_ = Stage::Question;
  size_t current_ = 0;
  bool return_to_review_ = false;
  std::string content_hash_;
};

}  // namespace kiosk
