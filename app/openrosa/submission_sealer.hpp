// Seals a kiosk's responses as encrypted OpenRosa submissions: each draft
// and each closed response is written as the form's instance and encrypted
// with the form's RSA public key (odk_crypto.hpp), so the kiosk's database
// holds only what the server's key can open, in the exact bytes it will send.
#pragma once

#include <memory>

#include "kiosk/store.hpp"
#include "xform.hpp"

namespace kiosk::openrosa {

class SubmissionSealer final : public Sealer {
 public:
  // Fails (ErrorKind::Config) for a form without a public key: a kiosk keeps
  // nothing readable, so the server must encrypt the form.
  static Result<std::shared_ptr<const SubmissionSealer>> make(std::shared_ptr<const ImportedForm> form);
  std::string key_id() const override { return form_->binding.key->id(); }
  Result<std::string> seal(const ResponseMeta& meta, const Answers& answers) const override;
  const ImportedForm& form() const { return *form_; }

 private:
  explicit SubmissionSealer(std::shared_ptr<const ImportedForm> f) : form_(std::move(f)) {}
  std::shared_ptr<const ImportedForm> form_;
};

}  // namespace kiosk::openrosa
