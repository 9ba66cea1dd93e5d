// An XForm (the ODK XForms specification, as ODK Central and KoboToolbox
// serve forms over OpenRosa) read into a survey, and a response written back
// as that form's instance.
//
// The form is read into the XLSForm importer's sheets (a row per control, a
// list per select, the form's settings), so exactly what `kiosk-admin import`
// carries over and refuses from a spreadsheet is carried over and refused
// from an XForm: select one and multiple (with "other, please specify"),
// text, integer, decimal, date, note, groups, `relevant` in the supported
// XPath subset, the supported constraints, labels and hints in every
// language of the form's itext. An error names the form, the control's path
// and line, and the reason:
//   form library_survey: /data/visit/when (line 41), relevant: ...
//
// The form's primary instance is kept as it is, so a response is written in
// the form's own shape: each question's answer at its path, the form's id
// and version on the root, meta/instanceID "uuid:" + the response's UUID.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/result.hpp"
#include "kiosk/session.hpp"
#include "kiosk/survey.hpp"
#include "odk_crypto.hpp"
#include "xml_tree.hpp"

namespace kiosk::openrosa {

// The namespace of what only this kiosk reads in an XForm it wrote (to_xform):
// ODK tools leave attributes and itext entries of other namespaces alone.
inline constexpr const char* kKioskNamespace = "http://library-kiosk.example.org/xforms";

struct FormBinding {
  std::string form_id, version;
  std::optional<RsaPublicKey> key;          // the form's base64RsaPublicKey; none: not encrypted
  std::shared_ptr<const XmlNode> instance;  // the primary instance's root element, as the form has it
  // Each instance leaf the kiosk fills, by absolute path ("/data/visit/when"):
  // a question's id, or "ID#other" for the text of its "other" choice.
  std::map<std::string, std::string> field_of_path;
  // Leaves the kiosk fills itself: "/data/meta/instanceID" -> "instanceID",
  // "/data/start" -> "start", "/data/end" -> "end", "/data/deviceid" -> "deviceid",
  // and, in a form of to_xform's, "/data/meta/kiosk_status" -> "status"
  // ("completed", or "abandoned" for a visit left part way).
  std::map<std::string, std::string> preload_of_path;
};

struct ImportedForm {
  Survey survey;
  FormBinding binding;
  std::vector<std::string> warnings;  // what is left out, each naming the control
};

// `source` names the form in errors ("form library_survey from https://...").
Result<ImportedForm> import_xform(std::string_view xml, const std::string& source);

// The instance XML of a response: `answers` at their paths, the rest empty
// but for what the kiosk fills itself (instanceID, start, end, deviceid).
std::string instance_xml(const FormBinding& form, const Survey& survey, const ResponseMeta& meta,
                         const Answers& answers);

// The form a kiosk enrolled with an OpenRosa server runs: its [sync]
// form_file read and imported. A missing or unreadable file is
// ErrorKind::Config, saying how the form gets there.
Result<std::shared_ptr<const ImportedForm>> load_form_file(const std::string& path);

// The survey as an XForm, to publish on an OpenRosa server (kiosk-admin
// export-xform): import_xform gives back the same survey.
std::string to_xform(const Survey& survey);

// "uuid:" + the response's UUID.
std::string instance_id(const ResponseMeta& meta);

}  // namespace kiosk::openrosa
