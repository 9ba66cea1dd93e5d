#include "submission_sealer.hpp"

namespace kiosk::openrosa {

Result<std::shared_ptr<const SubmissionSealer>> SubmissionSealer::make(std::shared_ptr<const ImportedForm> form) {
  if (!form->binding.key)
    return make_error(ErrorKind::Config,
                      "form \"" + form->binding.form_id +
                          "\" is not encrypted, and this kiosk keeps nothing readable on its disk: turn on "
                          "encryption for the project on the server (ODK Central: Project Settings, Encryption), "
                          "then enrol again");
  return std::shared_ptr<const SubmissionSealer>(new SubmissionSealer(std::move(form)));
}

Result<std::string> SubmissionSealer::seal(const ResponseMeta& meta, const Answers& answers) const {
  const auto& b = form_->binding;
  const std::string xml = instance_xml(b, form_->survey, meta, answers);
  auto enc = encrypt_submission(*b.key, b.form_id, b.version, instance_id(meta), xml);
  if (!enc) return enc.error();
  return pack(*enc);
}

}  // namespace kiosk::openrosa
