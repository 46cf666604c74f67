#include "services/io/uke.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/cp932.h"
#include "normalizer/date.h"
#include "normalizer/utf8.h"

namespace kuromaru::io {
namespace {

constexpr size_t kIrFields = 10;
constexpr size_t kReFields = 38;
constexpr char kWildcardCp932[] = "\x81\x9C";  // ●

// The clinical records of a receipt: nothing in them names the patient.
constexpr std::array<std::string_view, 16> kSkipped = {
    "SY", "SI", "IY", "TO", "JD", "MF", "SJ", "TI",
    "NI", "GR", "TS", "RC", "KH", "SK", "TR", "GT"};

bool IsJisX0208Lead(unsigned char b) {
  return (b >= 0x81 && b <= 0x84) || (b >= 0x88 && b <= 0x9F) ||
         (b >= 0xE0 && b <= 0xEA);
}
bool IsLead(unsigned char b) {
  return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC);
}
bool IsTrail(unsigned char b) { return b >= 0x40 && b <= 0xFC && b != 0x7F; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (!s->starts_with(prefix)) return false;
  s->remove_prefix(prefix.size());
  return true;
}

std::string_view StripAscii(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s[0]))) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// ASCII and U+3000 spaces off both ends.
std::string_view TrimAllSpaces(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\u3000";
  while (true) {
    const size_t before = s.size();
    s = StripAscii(s);
    ConsumePrefix(&s, kIdeographicSpace);
    if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size());
    }
    if (s.size() == before) return s;
  }
}

// CP932 as a UKE file carries it: JIS X 0208 and half-width kana; anything
// else (外字 in the user-defined area, vendor extensions) is a wildcard.
class UkeText {
 public:
  // CP932 bytes to UTF-8; wildcards outside JIS X 0208.
  absl::StatusOr<std::string> Decode(std::string_view in) {
    if (!cp932_.ok()) {
      return absl::InternalError("ICU has no windows-31j converter");
    }
    std::string bytes;
    bytes.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      const auto b = static_cast<unsigned char>(in[i]);
      if (b < 0x80 || (b >= 0xA1 && b <= 0xDF)) {
        bytes.push_back(in[i]);
      } else if (IsLead(b) && i + 1 < in.size() &&
                 IsTrail(static_cast<unsigned char>(in[i + 1]))) {
        if (IsJisX0208Lead(b)) {
          bytes.append(in.substr(i, 2));
        } else {
          bytes.append(kWildcardCp932);
        }
        ++i;
      } else {
        return absl::InvalidArgumentError("bytes that are not CP932");
      }
    }
    std::string out;
    if (!cp932_.Decode(bytes, &out)) {
      return absl::InvalidArgumentError("a character CP932 does not define");
    }
    return out;
  }

  // One code point to CP932 as a UKE file carries it.
  std::string EncodeOne(char32_t c) {
    if (c == ',') return "\x81\x43";  // ，
    if (c == '\r' || c == '\n') return " ";
    if (c < 0x80) return std::string(1, static_cast<char>(c));
    if (c >= 0xE000 && c <= 0xE757) {  // 外字 in the user-defined area
      const int index = static_cast<int>(c - 0xE000);
      const int trail = 0x40 + index % 188;
      return {static_cast<char>(0xF0 + index / 188),
              static_cast<char>(trail >= 0x7F ? trail + 1 : trail)};
    }
    std::string bytes = cp932_.EncodeOne(c);
    if (bytes.empty()) return kWildcardCp932;
    const auto b = static_cast<unsigned char>(bytes[0]);
    if (bytes.size() == 1 && b >= 0xA1 && b <= 0xDF) return bytes;
    if (bytes.size() == 2 && IsJisX0208Lead(b)) return bytes;
    return kWildcardCp932;
  }

 private:
  base::Cp932 cp932_;
};

// The labelled items of a 不詳 receipt's 摘要.
constexpr std::array<std::string_view, 8> kMemoLabels = {
    "カナ氏名", "保険者等名称", "事業所名", "郵便番号",
    "住所",     "保険種別",     "連絡先",   "確認日"};

// Sets the receipt's fields from "label：value" items in `text`.
void ReadMemoItems(std::string_view text, v1::Receipt* r) {
  struct Hit {
    size_t label_at, value_at;
    std::string_view label;
  };
  std::vector<Hit> hits;
  for (std::string_view label : kMemoLabels) {
    for (size_t at = text.find(label); at != std::string_view::npos;
         at = text.find(label, at + 1)) {
      std::string_view rest = text.substr(at + label.size());
      if (ConsumePrefix(&rest, "：") || ConsumePrefix(&rest, ":")) {
        hits.push_back({at, text.size() - rest.size(), label});
      }
    }
  }
  std::sort(hits.begin(), hits.end(),
            [](const Hit& a, const Hit& b) { return a.label_at < b.label_at; });
  for (size_t i = 0; i < hits.size(); ++i) {
    const size_t end = i + 1 < hits.size() ? hits[i + 1].label_at : text.size();
    if (end < hits[i].value_at) continue;  // a label inside another's label
    const std::string value(
        TrimAllSpaces(text.substr(hits[i].value_at, end - hits[i].value_at)));
    const std::string_view label = hits[i].label;
    if (label == "カナ氏名") {
      if (r->name_kana().empty()) r->set_name_kana(value);
    } else if (label == "保険者等名称") {
      r->set_insurer_name(value);
    } else if (label == "事業所名") {
      r->set_employer(value);
    } else if (label == "郵便番号") {
      r->set_postal_code(value);
    } else if (label == "住所") {
      r->set_address(value);
    }
  }
}

// The receipt being read: from its RE record to the next RE or GO.
struct Pending {
  int64_t line = 0;
  v1::Receipt receipt;
  std::string number;  // レセプト番号, 6 digits
  bool has_ho = false;
  bool fusho = false;
  int64_t fault_line = 0;
  std::string fault;
};

class Parser {
 public:
  absl::Status Line(int64_t line, std::string_view raw);
  // `last_line`: the number of the file's last line.
  absl::StatusOr<UkeFile> Finish(int64_t last_line) &&;

 private:
  absl::Status Ir(int64_t line);
  absl::Status Re(int64_t line);
  std::optional<std::string> Text(int64_t line, std::string_view type, size_t i,
                                  const char* name);
  void Fault(int64_t line, std::string reason);
  void Member(int64_t line, std::string_view type);
  void Close();

  UkeText text_;
  UkeFile file_;
  bool in_block_ = false;
  bool seen_block_ = false;
  std::string institution_, billing_month_;
  std::optional<Pending> current_;
  absl::flat_hash_set<std::string> ids_;
  std::vector<std::string_view> fields_;  // of the record being read, raw
};

absl::Status Fatal(int64_t line, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line, ": ", std::string(what)));
}

absl::Status Parser::Line(int64_t line, std::string_view raw) {
  if (raw.empty()) return absl::OkStatus();
  ++file_.records;
  const std::string_view type = raw.substr(0, 2);
  const bool known_type =
      type == "IR" || type == "RE" || type == "HO" || type == "KO" ||
      type == "SN" || type == "CO" || type == "GO" ||
      std::find(kSkipped.begin(), kSkipped.end(), type) != kSkipped.end();
  if (!known_type || (raw.size() > 2 && raw[2] != ',')) {
    return Fatal(line, "unknown record type (not a レセ電 医科 record)");
  }
  if (type != "IR" && !in_block_) {
    return Fatal(line, absl::StrCat(std::string(type),
                                    " record outside an IR … GO block"));
  }
  if (std::find(kSkipped.begin(), kSkipped.end(), type) != kSkipped.end()) {
    return absl::OkStatus();
  }
  // A comma is never the second byte of a CP932 character: the record splits
  // before it is decoded, and only the fields read are decoded, so that a
  // byte CP932 does not define costs only the receipt whose field holds it.
  fields_.clear();
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(raw.data(), raw.size()), ',')) {
    fields_.emplace_back(part.data(), part.size());
  }
  if (type == "IR") return Ir(line);
  if (type == "RE") return Re(line);
  if (type == "GO") {
    Close();
    in_block_ = false;
    return absl::OkStatus();
  }
  if (!current_) {
    file_.errors.push_back(
        {line, absl::StrCat(std::string(type), " record before any RE")});
  } else {
    Member(line, type);
  }
  return absl::OkStatus();
}

// Field `i` (0-based) of the record being read, decoded; nullopt (and the
// receipt faulted, naming the record, the field and the line) when its bytes
// are not CP932.
std::optional<std::string> Parser::Text(int64_t line, std::string_view type,
                                        size_t i, const char* name) {
  absl::StatusOr<std::string> text = text_.Decode(fields_[i]);
  if (text.ok()) return *std::move(text);
  Fault(line, absl::StrCat(std::string(type), ": ", name, " holds ",
                           text.status().message()));
  return std::nullopt;
}

absl::Status Parser::Ir(int64_t line) {
  const std::vector<std::string_view>& f = fields_;
  if (in_block_) return Fatal(line, "IR record before the block's GO");
  if (f.size() != kIrFields) {
    return Fatal(line, absl::StrCat("IR record of ", f.size(),
                                    " fields; this reader follows the ",
                                    kIrFields, "-field layout"));
  }
  if (f[2].size() != 2 || f[3].size() != 1 || f[4].size() != 7 ||
      !AllDigits(f[2]) || !AllDigits(f[3]) || !AllDigits(f[4])) {
    return Fatal(line,
                 "IR: 都道府県 (2), 点数表 (1) and 医療機関コード (7) must "
                 "be digits");
  }
  absl::StatusOr<normalizer::ParsedMonth> month = normalizer::ParseMonth(f[7]);
  if (!month.ok()) return Fatal(line, "IR: 請求年月 is not a month");
  institution_ =
      absl::StrCat(std::string(f[2]), std::string(f[3]), std::string(f[4]));
  billing_month_ = month->key;
  in_block_ = seen_block_ = true;
  return absl::OkStatus();
}

absl::Status Parser::Re(int64_t line) {
  const std::vector<std::string_view>& f = fields_;
  if (f.size() != kReFields) {
    return Fatal(line,
                 absl::StrCat("RE record of ", f.size(),
                              " fields; this reader follows the ", kReFields,
                              "-field 医科 layout (another spec year?)"));
  }
  Close();
  current_.emplace();
  Pending& p = *current_;
  p.line = line;
  if (f[1].empty() || f[1].size() > 6 || !AllDigits(f[1])) {
    Fault(line, "RE: レセプト番号 is not 1 to 6 digits");
  } else {
    p.number = std::string(6 - f[1].size(), '0') + std::string(f[1]);
  }
  v1::Receipt& r = p.receipt;
  r.set_service_month(Text(line, "RE", 3, "診療年月").value_or(""));
  r.set_name_kanji(Text(line, "RE", 4, "氏名").value_or(""));
  r.set_sex(Text(line, "RE", 5, "男女区分").value_or(""));
  r.set_birth_date(Text(line, "RE", 6, "生年月日").value_or(""));
  r.set_name_kana(Text(line, "RE", 36, "カタカナ氏名").value_or(""));
  return absl::OkStatus();
}

void Parser::Fault(int64_t line, std::string reason) {
  if (current_ && current_->fault.empty()) {
    current_->fault_line = line;
    current_->fault = std::move(reason);
  }
}

void Parser::Member(int64_t line, std::string_view type) {
  const std::vector<std::string_view>& f = fields_;
  v1::Receipt& r = current_->receipt;
  const size_t needed = type == "HO"   ? 5
                        : type == "KO" ? 3
                        : type == "SN" ? 7
                                       : 5;
  if (f.size() < needed) {
    Fault(line, absl::StrCat(std::string(type), " record of ", f.size(),
                             " fields, fewer than ", needed));
  } else if (type == "HO") {
    const std::string_view insurer = StripAscii(f[1]);
    if (current_->has_ho) {
      Fault(line, "a second HO record in one receipt");
    } else if (f[1].size() > 8 || !AllDigits(insurer) ||
               (!insurer.empty() && insurer.size() != 6 &&
                insurer.size() != 8)) {
      Fault(line, "HO: 保険者番号 is not 6 or 8 digits");
    }
    current_->has_ho = true;
    r.set_insurer_number(std::string(insurer));
    r.set_symbol(Text(line, type, 2, "記号").value_or(""));
    r.set_number(Text(line, type, 3, "番号").value_or(""));
  } else if (type == "KO") {
    if (f[1].size() != 8 || !AllDigits(f[1]) || f[2].size() > 7 ||
        !AllDigits(f[2])) {
      Fault(line, "KO: 公費負担者番号 (8) or 受給者番号 (7) is not digits");
    }
  } else if (type == "SN") {
    if (f[6].size() > 2 || !AllDigits(f[6])) {
      Fault(line, "SN: 枝番 is not 2 digits");
    } else {
      r.set_branch(std::string(f[6]));
    }
  } else {  // CO: the 摘要
    const std::string text = Text(line, type, 4, "文字データ").value_or("");
    std::string_view memo = TrimAllSpaces(text);
    if (ConsumePrefix(&memo, "不詳")) current_->fusho = true;
    if (current_->fusho) ReadMemoItems(memo, &r);
  }
}

void Parser::Close() {
  if (!current_) return;
  Pending p = *std::move(current_);
  current_.reset();
  if (!p.fault.empty()) {
    file_.errors.push_back({p.fault_line, std::move(p.fault)});
    return;
  }
  std::string id =
      absl::StrCat(institution_, "-", billing_month_, "-", p.number);
  if (!ids_.insert(id).second) {
    file_.errors.push_back({p.line, "RE: レセプト番号 repeated in the block"});
    return;
  }
  p.receipt.set_receipt_id(std::move(id));
  p.receipt.set_institution_code(institution_);
  file_.receipts.push_back({p.line, std::move(p.receipt)});
}

absl::StatusOr<UkeFile> Parser::Finish(int64_t last_line) && {
  if (!seen_block_)
    return absl::InvalidArgumentError("no IR record: not a レセ電 file");
  if (in_block_) {
    return Fatal(last_line,
                 "the file looks truncated: it ends before the GO record "
                 "that closes its last IR block");
  }
  return std::move(file_);
}

}  // namespace

absl::StatusOr<UkeFile> ParseUke(std::string_view bytes) {
  Parser parser;
  int64_t line = 0;
  for (std::string_view rest = bytes; !rest.empty();) {
    size_t end = rest.find('\n');
    std::string_view record = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view()
                                         : rest.substr(end + 1);
    if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
    ++line;
    if (line == 1 && !record.starts_with("IR")) {
      return Fatal(line, "the file does not start with an IR record");
    }
    // Every record ends with a line break, the file's last GO included (a
    // missing last one is tolerated): a file that stops anywhere else was
    // cut, and its last record cannot be trusted.
    if (end == std::string_view::npos && !record.starts_with("GO")) {
      return Fatal(line,
                   "the file looks truncated: its last record ends without "
                   "a line break");
    }
    absl::Status s = parser.Line(line, record);
    if (!s.ok()) return s;
  }
  return std::move(parser).Finish(line);
}

absl::StatusOr<UkeFile> ReadUkeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream bytes;
  bytes << in.rdbuf();
  absl::StatusOr<UkeFile> file = ParseUke(bytes.str());
  if (!file.ok()) {
    return absl::Status(file.status().code(),
                        absl::StrCat(path, ": ", file.status().message()));
  }
  return file;
}

struct UkeTextEncoder::Converter {
  UkeText text;
  absl::flat_hash_map<char32_t, std::string> cache;
};

UkeTextEncoder::UkeTextEncoder() : converter_(std::make_unique<Converter>()) {}
UkeTextEncoder::~UkeTextEncoder() = default;

std::string UkeTextEncoder::Encode(std::string_view utf8) {
  std::string out;
  normalizer::ForEachCodePoint(utf8, [&](char32_t c, size_t, size_t) {
    auto [it, inserted] = converter_->cache.try_emplace(c);
    if (inserted) it->second = converter_->text.EncodeOne(c);
    out += it->second;
    return absl::OkStatus();
  }).IgnoreError();
  return out;
}

absl::StatusOr<std::string> DecodeUkeText(std::string_view cp932) {
  UkeText converter;
  return converter.Decode(cp932);
}

std::string UkeTextOf(std::string_view utf8) {
  UkeTextEncoder encoder;
  absl::StatusOr<std::string> back = DecodeUkeText(encoder.Encode(utf8));
  return back.ok() ? *back : std::string();
}

}  // namespace kuromaru::io
