// The kiosk as an OpenRosa client, its offline half (issue 21): an XForm read
// into a survey with the XLSForm importer's subset and refusals, a response
// written as the form's instance, encrypted as the ODK XForms encryption
// specification says (checked against the openssl tool, step by step from the
// specification's text), and the store keeping only those encrypted bytes.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "kiosk/clock.hpp"
#include "kiosk/session.hpp"
#include "kiosk/store.hpp"
#include "kiosk/survey_write.hpp"
#include "odk_crypto.hpp"
#include "openrosa_forms.hpp"
#include "submission_sealer.hpp"
#include "support.hpp"
#include "xform.hpp"

using namespace kiosk;
using namespace kiosk::openrosa;

namespace {

using test::encrypted_visit_form;
using test::visit_form;
const RsaKeyPair& key_pair() { return test::form_key(); }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("not in the form: " + from);
  return text.replace(at, from.size(), to);
}

std::string hex(const std::string& bytes) {
  std::ostringstream o;
  for (unsigned char c : bytes) o << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(c);
  return o.str();
}

std::string element_text(const std::string& xml, const std::string& name) {
  const auto a = xml.find("<" + name + ">"), b = xml.find("</" + name + ">");
  if (a == std::string::npos || b == std::string::npos) return {};
  return xml.substr(a + name.size() + 2, b - a - name.size() - 2);
}

}  // namespace

TEST_CASE("an encrypted submission is what the ODK encryption specification says, step by step with openssl",
          "[openrosa]") {
  auto key = RsaPublicKey::from_base64(key_pair().public_base64_der, "test key");
  REQUIRE(key.ok());
  const std::string xml = "<data id=\"f\" version=\"3\"><q>Ça va? &amp; ąę</q></data>";
  const std::string iid = "uuid:5b9cf8d1-106f-4004-844f-c072d76762ed";
  auto s = encrypt_submission(*key, "f", "3", iid, xml);
  REQUIRE(s.ok());

  // Our own reading of it.
  auto opened = decrypt_submission(key_pair().private_pem, *s);
  REQUIRE(opened.ok());
  CHECK(opened->xml == xml);
  CHECK(opened->instance_id == iid);
  CHECK(opened->form_id == "f");
  CHECK(opened->version == "3");

  // The same, by the specification's steps, with the openssl tool.
  test::TempDir tmp;
  test::write_file(tmp.file("key.pem"), key_pair().private_pem);
  auto wrapped = base64_decode(element_text(s->manifest, "base64EncryptedKey"));
  REQUIRE(wrapped);
  CHECK(wrapped->size() == 256);  // a 2048-bit key: what ODK Central decrypts
  test::write_file(tmp.file("key.enc"), *wrapped);
  // RSA-OAEP with SHA-256 for the digest and for MGF1.
  auto r = test::run("openssl pkeyutl -decrypt -inkey " + tmp.file("key.pem") +
                     " -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in " +
                     tmp.file("key.enc") + " -out " + tmp.file("aes.bin"));
  REQUIRE(r.exit_code == 0);
  const std::string aes = test::read_file(tmp.file("aes.bin"));
  REQUIRE(aes.size() == 32);
  // MGF1 with SHA-1 (Java's JCE default) does not open it.
  CHECK(test::run("openssl pkeyutl -decrypt -inkey " + tmp.file("key.pem") +
                  " -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha1 -in " +
                  tmp.file("key.enc") + " -out " + tmp.file("wrong.bin"))
            .exit_code != 0);
  // The IV: MD5 of the instance id then the key, byte 0 plus one for the first file.
  test::write_file(tmp.file("seed.in"), iid + aes);
  r = test::run("openssl dgst -md5 -binary -out " + tmp.file("seed.bin") + " " + tmp.file("seed.in"));
  REQUIRE(r.exit_code == 0);
  std::string iv = test::read_file(tmp.file("seed.bin"));
  REQUIRE(iv.size() == 16);
  iv[0] = static_cast<char>(static_cast<unsigned char>(iv[0]) + 1);
  test::write_file(tmp.file("submission.xml.enc"), s->encrypted_xml);
  CHECK(s->encrypted_xml.size() % 16 == 0);
  r = test::run("openssl enc -d -aes-256-cfb -nopad -K " + hex(aes) + " -iv " + hex(iv) + " -in " +
                tmp.file("submission.xml.enc") + " -out " + tmp.file("padded.xml"));
  REQUIRE(r.exit_code == 0);
  std::string padded = test::read_file(tmp.file("padded.xml"));
  REQUIRE(!padded.empty());
  const auto pad = static_cast<unsigned char>(padded.back());
  REQUIRE(pad >= 1);
  REQUIRE(pad <= 16);
  CHECK(padded.substr(padded.size() - pad) == std::string(pad, static_cast<char>(pad)));  // PKCS#7
  CHECK(padded.substr(0, padded.size() - pad) == xml);

  // The manifest: ODK's namespace, encrypted="yes", the file, the instance id.
  CHECK(s->manifest.find("<data xmlns=\"http://opendatakit.org/submissions\" id=\"f\" version=\"3\" "
                         "encrypted=\"yes\">") == 0);
  CHECK(element_text(s->manifest, "encryptedXmlFile") == "submission.xml.enc");
  CHECK(element_text(s->manifest, "instanceID") == iid);

  // The signature: MD5 over the lines the specification lists, RSA-OAEP encrypted.
  auto sig = base64_decode(element_text(s->manifest, "base64EncryptedElementSignature"));
  REQUIRE(sig);
  test::write_file(tmp.file("sig.enc"), *sig);
  r = test::run("openssl pkeyutl -decrypt -inkey " + tmp.file("key.pem") +
                " -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in " +
                tmp.file("sig.enc") + " -out " + tmp.file("sig.bin"));
  REQUIRE(r.exit_code == 0);
  test::write_file(tmp.file("xml"), xml);
  r = test::run("openssl dgst -md5 -r " + tmp.file("xml"));
  const std::string xml_md5 = r.out.substr(0, 32);
  test::write_file(tmp.file("sig.txt"), "f\n3\n" + element_text(s->manifest, "base64EncryptedKey") + "\n" + iid +
                                            "\nsubmission.xml::" + xml_md5 + "\n");
  r = test::run("openssl dgst -md5 -binary -out " + tmp.file("sig.want") + " " + tmp.file("sig.txt"));
  REQUIRE(r.exit_code == 0);
  CHECK(test::read_file(tmp.file("sig.bin")) == test::read_file(tmp.file("sig.want")));

  // Each submission has its own key: the same instance twice is two different encryptions.
  auto again = encrypt_submission(*key, "f", "3", iid, xml);
  REQUIRE(again.ok());
  CHECK(again->encrypted_xml != s->encrypted_xml);
}

TEST_CASE("an altered or misaddressed encrypted submission does not open, and says which check failed", "[openrosa]") {
  auto key = RsaPublicKey::from_base64(key_pair().public_base64_der, "test key");
  REQUIRE(key.ok());
  const std::string xml = "<data id=\"f\"><q>yes</q><comment>Longer than three blocks of sixteen</comment></data>";
  auto s = encrypt_submission(*key, "f", "", "uuid:1", xml);
  REQUIRE(s.ok());
  CHECK(s->manifest.find("version=") == std::string::npos);  // a form without a version: none in the manifest
  REQUIRE(decrypt_submission(key_pair().private_pem, *s).ok());

  EncryptedSubmission flipped = *s;
  flipped.encrypted_xml[3] = static_cast<char>(flipped.encrypted_xml[3] ^ 0x20);
  auto r = decrypt_submission(key_pair().private_pem, flipped);
  REQUIRE_FALSE(r.ok());
  CHECK(r.message().find("signature") != std::string::npos);

  EncryptedSubmission moved = *s;
  moved.manifest = replaced(moved.manifest, "uuid:1", "uuid:2");  // another instance id: another IV
  r = decrypt_submission(key_pair().private_pem, moved);
  REQUIRE_FALSE(r.ok());

  auto other = generate_rsa_key_pair();
  REQUIRE(other.ok());
  r = decrypt_submission(other->private_pem, *s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.message().find("does not open") != std::string::npos);

  // The stored form: both parts with their lengths; cut short is refused.
  const std::string blob = pack(*s);
  auto back = unpack(blob);
  REQUIRE(back.ok());
  CHECK(*back == *s);
  CHECK_FALSE(unpack(blob.substr(0, blob.size() - 1)).ok());
  CHECK_FALSE(unpack("odk-submission-v1 x 3\nabc").ok());

  // Keys that cannot be used are refused with where they came from.
  auto bad = RsaPublicKey::from_base64("bm90IGEga2V5", "form f, <submission>");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.message().find("form f, <submission>") == 0);
}

TEST_CASE("an XForm as pyxform writes it becomes the survey it asks, in every language of its itext", "[openrosa]") {
  auto f = import_xform(visit_form(), "form library_visit");
  INFO((f.ok() ? std::string() : f.message()));
  REQUIRE(f.ok());
  const Survey& s = f->survey;
  CHECK(s.id == "library_visit");
  CHECK(s.version == "2026120701");
  CHECK(s.default_locale == "en");
  CHECK(s.locales == std::vector<std::string>{"en", "pl"});
  CHECK(s.text(s.title, "en") == "Your library visit");

  const Question* welcome = s.find("welcome");
  REQUIRE(welcome);
  CHECK(welcome->type == QuestionType::Note);
  const Question* often = s.find("how_often");
  REQUIRE(often);
  CHECK(often->type == QuestionType::Single);
  CHECK(often->required);
  CHECK(s.text(often->text, "pl") == "Jak często odwiedzasz tę bibliotekę?");
  CHECK(s.text(often->hint, "en") == "Choose one.");
  REQUIRE(often->options.size() == 3);
  CHECK(often->options[2].code == "first");
  CHECK(s.text(often->options[0].label, "pl") == "Co tydzień");
  const Question* services = s.find("services");
  REQUIRE(services);
  CHECK(services->type == QuestionType::Multiple);
  REQUIRE(services->other_option());
  CHECK(services->other_option()->code == "other");
  CHECK_FALSE(s.find("services_other"));  // the "please specify" box is the other choice's
  const Question* visits = s.find("visits");
  REQUIRE(visits);
  CHECK(visits->type == QuestionType::Integer);
  CHECK(visits->min_value == 0);
  CHECK(visits->max_value == 365);
  REQUIRE(visits->show_if);  // the group's relevant: not on a first visit
  CHECK(s.find("first_visit")->type == QuestionType::Date);
  CHECK(s.find("comment")->type == QuestionType::Text);
  // Every text in Polish but the title: an XForm's <h:title> has one language.
  for (const auto& [locale, keys] : s.missing_translations)
    for (const auto& k : keys)
      if (k != "title") FAIL_CHECK(locale << " has no text for " << k);

  const FormBinding& b = f->binding;
  CHECK(b.form_id == "library_visit");
  CHECK_FALSE(b.key);
  CHECK(b.field_of_path.at("/data/about/visits") == "visits");
  CHECK(b.field_of_path.at("/data/services_other") == "services#other");
  CHECK(b.preload_of_path.at("/data/meta/instanceID") == "instanceID");
  CHECK(b.preload_of_path.at("/data/start") == "start");

  // A response written back in the form's own shape.
  ResponseMeta m;
  m.uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  m.kiosk_id = "castle-1";
  m.started_utc = "2016-06-13T10:00:00Z";
  m.ended_utc = "2016-06-13T10:05:00Z";
  Answers a;
  a["how_often"] = Answer{{"weekly"}, {}, {}};
  a["services"] = Answer{{"books", "other"}, {}, "Printing & <copying>"};
  a["visits"] = Answer{{}, "12", {}};
  a["first_visit"] = Answer{{}, "1999-04-01", {}};
  const std::string xml = instance_xml(b, s, m, a);
  CHECK(xml ==
        "<data id=\"library_visit\" version=\"2026120701\"><start>2016-06-13T10:00:00Z</start>"
        "<end>2016-06-13T10:05:00Z</end><welcome></welcome><how_often>weekly</how_often>"
        "<services>books other</services><services_other>Printing &amp; &lt;copying&gt;</services_other>"
        "<about><visits>12</visits><first_visit>1999-04-01</first_visit></about><comment></comment>"
        "<meta><instanceID>uuid:0f8fad5b-d9cb-469f-a165-70867728950e</instanceID></meta></data>");
  CHECK(parse_xml(xml, "instance").ok());
}

TEST_CASE("an XForm outside what the kiosk asks is refused, naming the control, its line and the reason",
          "[openrosa]") {
  const std::string form = visit_form();
  struct Case {
    std::string from, to, expect;
  };
  const std::vector<Case> cases = {
      {"<bind nodeset=\"/data/about/first_visit\" type=\"date\"/>",
       "<bind nodeset=\"/data/about/first_visit\" type=\"geopoint\"/>", "/data/about/first_visit (line 123)"},
      {"<bind nodeset=\"/data/about/first_visit\" type=\"date\"/>",
       "<bind nodeset=\"/data/about/first_visit\" type=\"geopoint\"/>", "does not ask for a location"},
      {"<group ref=\"/data/about\">", "<group ref=\"/data/about\"><repeat nodeset=\"/data/about/visits\"/>",
       "repeats are not supported"},
      {"instance('often')/root/item", "instance('often')/root/item[name != 'first']", "filters or computes"},
      {"<bind nodeset=\"/data/comment\" type=\"string\"/>",
       "<bind nodeset=\"/data/comment\" type=\"string\" relevant=\"/data/about/visits &gt; 3\"/>",
       "/data/comment (line 127), relevant"},
      {"<bind jr:preload=\"uid\" nodeset=\"/data/meta/instanceID\" readonly=\"true()\" type=\"string\"/>", "",
       "no meta/instanceID"},
      {"<value>Which other service?</value>", "<value>Which <output value=\"/data/services\"/>?</value>",
       "shows an answer inside it"},
      {"<h:html ", "<!DOCTYPE h:html [<!ENTITY a \"aaaa\">]><h:html ", "document type declaration"},
      {"<bind nodeset=\"/data/comment\" type=\"string\"/>",
       "<bind nodeset=\"/data/comment\" type=\"string\"/><bind nodeset=\"/data/total\" calculate=\"1+1\"/>",
       "calculations are not supported"},
  };
  for (const auto& c : cases) {
    auto f = import_xform(replaced(form, c.from, c.to), "form library_visit");
    INFO(c.expect);
    REQUIRE_FALSE(f.ok());
    INFO(f.message());
    CHECK(f.message().find("form library_visit") == 0);
    CHECK(f.message().find(c.expect) != std::string::npos);
  }
  CHECK_FALSE(import_xform("<h:html", "form x").ok());
  auto not_xform = import_xform("<data id=\"x\"/>", "form x");
  REQUIRE_FALSE(not_xform.ok());
  CHECK(not_xform.message().find("not an XForm") != std::string::npos);
}

TEST_CASE("a kiosk sealing to an OpenRosa form keeps only encrypted submissions, byte for byte what it sends",
          "[openrosa][store]") {
  auto form = import_xform(encrypted_visit_form(), "form library_visit");
  REQUIRE(form.ok());
  auto shared = std::make_shared<const ImportedForm>(std::move(*form));
  auto sealer = SubmissionSealer::make(shared);
  REQUIRE(sealer.ok());

  // A form that is not encrypted is refused for a kiosk, in words for the admin.
  auto plain = import_xform(visit_form(), "form library_visit");
  REQUIRE(plain.ok());
  auto refused = SubmissionSealer::make(std::make_shared<const ImportedForm>(std::move(*plain)));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.kind() == ErrorKind::Config);
  CHECK(refused.message().find("turn on encryption") != std::string::npos);

  test::TempDir tmp;
  const std::string db = tmp.file("kiosk.db");
  const std::string secret_words = "Please open on Sundays, Idris revises there";
  std::string uuid;
  {
    auto store = Store::open(db);
    REQUIRE(store.ok());
    (*store)->set_sealer(*sealer);
    FakeClock clock;
    ResponseMeta m;
    m.kiosk_id = "castle-1";
    m.service_point = "castle";
    m.survey_id = shared->survey.id;
    m.survey_version = shared->survey.version;
    auto sess = Session::start(shared->survey, m, clock, store->get());
    REQUIRE(sess.ok());
    Session& v = **sess;
    REQUIRE(v.next().ok());  // the note
    REQUIRE(v.answer(Answer{{"monthly"}, {}, {}}).ok());
    REQUIRE(v.next().ok());
    REQUIRE(v.answer(Answer{{"books"}, {}, {}}).ok());
    REQUIRE(v.next().ok());
    REQUIRE(v.answer(Answer{{}, "40", {}}).ok());
    REQUIRE(v.next().ok());
    REQUIRE(v.next().ok());  // no first-visit date
    REQUIRE(v.answer(Answer{{}, secret_words, {}}).ok());
    REQUIRE(v.next().ok());
    REQUIRE(v.stage() == Session::Stage::Review);
    REQUIRE(v.submit().ok());
    uuid = v.meta().uuid;

    auto pending = (*store)->pending(10);
    REQUIRE(pending.ok());
    REQUIRE(pending->size() == 1);
    CHECK(pending->at(0).key_id == shared->binding.key->id());
    auto sub = unpack(pending->at(0).sealed);
    REQUIRE(sub.ok());
    auto opened = decrypt_submission(key_pair().private_pem, *sub);
    REQUIRE(opened.ok());
    CHECK(opened->instance_id == "uuid:" + uuid);
    CHECK(opened->version == "2026120701");
    CHECK(element_text(opened->xml, "how_often") == "monthly");
    CHECK(element_text(opened->xml, "visits") == "40");
    CHECK(element_text(opened->xml, "comment") == secret_words);
    CHECK((*store)->verify()->ok());
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string path = db + suffix;
    if (!std::filesystem::exists(path)) continue;
    const std::string bytes = test::read_file(path);
    INFO(path);
    CHECK(bytes.find(secret_words) == std::string::npos);
    CHECK(bytes.find("<how_often>") == std::string::npos);
  }
}

TEST_CASE("a survey written as an XForm reads back as the same survey, for Bury, the family hub and a matrix",
          "[openrosa]") {
  for (const char* name : {"kiosk-config/surveys/bury-libraries-2016.toml",
                           "kiosk-config/surveys/family-hub-feedback.toml", "tests/surveys/question-kinds.toml"}) {
    DYNAMIC_SECTION(name) {
      auto loaded = load_survey_file(test::source_path(name));
      REQUIRE(loaded.ok());
      const std::string xform = to_xform(*loaded);
      auto back = import_xform(xform, name);
      INFO((back.ok() ? std::string() : back.message()));
      REQUIRE(back.ok());
      const auto d = differences(*loaded, back->survey);
      for (const auto& line : d) FAIL_CHECK(line);
      CHECK(back->warnings.empty());
      // Whether a visit was completed or left part way goes with it.
      CHECK(back->binding.preload_of_path.at("/data/meta/kiosk_status") == "status");
      ResponseMeta left;
      left.uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
      left.status = "abandoned";
      CHECK(instance_xml(back->binding, back->survey, left, {}).find("<kiosk_status>abandoned</kiosk_status>") !=
            std::string::npos);
      // Every question has its place in the form's instance, and a response goes there.
      for (const auto& q : loaded->questions) {
        if (!q.takes_answer()) continue;
        bool placed = false;
        for (const auto& [path, id] : back->binding.field_of_path) placed = placed || id == q.id;
        INFO(q.id);
        CHECK(placed);
      }
    }
  }
}
