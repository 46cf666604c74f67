#include "services/io/proto_json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "unicode/utf8.h"

namespace kuromaru::io {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

google::protobuf::util::JsonPrintOptions PrintOptions() {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = true;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = true;
  return options;
}

// Well-known types (Timestamp, Any, …) have JSON forms of their own: protobuf's
// printer writes those.
bool IsWellKnown(const Descriptor* d) {
  return d->file()->package() == "google.protobuf";
}

// Code points protobuf's printer writes as \u escapes besides controls, quote
// and backslash: markup and invisible formatting characters.
bool NeedsEscape(UChar32 c) {
  if (c < 0x20 || c == '<' || c == '>' || (c >= 0x7F && c <= 0x9F)) return true;
  return c == 0xAD || (c >= 0x600 && c <= 0x603) || c == 0x6DD || c == 0x70F ||
         c == 0x17B4 || c == 0x17B5 || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
         (c >= 0x206A && c <= 0x206F) || c == 0xFEFF ||
         (c >= 0xFFF9 && c <= 0xFFFB);
}

void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\u%04x", unit);
  out->append(buf);
}

// A JSON string escaped exactly as protobuf's printer escapes it.
void AppendProtoJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t length = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, length, c);
    if (c == '"') {
      out->append("\\\"");
    } else if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\b') {
      out->append("\\b");
    } else if (c == '\f') {
      out->append("\\f");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (c < 0) {
      out->append("\uFFFD");
    } else if (NeedsEscape(c)) {
      AppendUnicodeEscape(static_cast<uint32_t>(c), out);
    } else {
      out->append(s, start, i - start);
    }
  }
  out->push_back('"');
}

// Shortest form that reads back as the same double, as protobuf's printer
// writes it.
void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.15g", v);
  if (std::strtod(buf, nullptr) != v)
    std::snprintf(buf, sizeof(buf), "%.17g", v);
  out->append(buf);
}

void AppendMessage(const Message& m, std::string* out);

void AppendValue(const Message& m, const FieldDescriptor* f, int index,
                 std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s =
          rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
              : r->GetStringReference(m, f, &scratch);
      AppendProtoJsonString(
          s, out);  // bytes fields never get here (HasUnsupported)
      break;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(
          out, rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(
          out, rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:  // proto3 JSON quotes 64-bit integers
      absl::StrAppend(
          out, "\"", rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f),
          "\"");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out, "\"",
          rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), "\"");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendDouble(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f),
                   out);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendDouble(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f),
                   out);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f))
                      ? "true"
                      : "false");
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number =
          rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* value = f->enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        AppendProtoJsonString(value->name(), out);
      } else {
        absl::StrAppend(out, number);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub =
          rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      if (IsWellKnown(sub.GetDescriptor())) {
        std::string json;
        (void)google::protobuf::util::MessageToJsonString(sub, &json,
                                                          PrintOptions());
        out->append(json);
      } else {
        AppendMessage(sub, out);
      }
      break;
    }
  }
}

// Fields in declaration order; scalars and lists always, messages when set —
// what protobuf's printer does with always_print_primitive_fields.
void AppendMessage(const Message& m, std::string* out) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_map()) continue;  // none in kuromaru's messages printed here
    const bool is_message = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!f->is_repeated() && (is_message || f->containing_oneof() != nullptr) &&
        !r->HasField(m, f)) {
      continue;
    }
    if (!first) out->push_back(',');
    first = false;
    AppendProtoJsonString(f->name(), out);
    out->push_back(':');
    if (f->is_repeated()) {
      out->push_back('[');
      const int n = r->FieldSize(m, f);
      for (int k = 0; k < n; ++k) {
        if (k > 0) out->push_back(',');
        AppendValue(m, f, k, out);
      }
      out->push_back(']');
    } else {
      AppendValue(m, f, -1, out);
    }
  }
  out->push_back('}');
}

bool HasUnsupported(const Descriptor* d, int depth) {
  if (depth > 8) return true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_map() || f->type() == FieldDescriptor::TYPE_BYTES) return true;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !IsWellKnown(f->message_type()) &&
        HasUnsupported(f->message_type(), depth + 1)) {
      return true;
    }
  }
  return false;
}

// Reads a JSON string starting at s[*i] == '"' into `out`; false if malformed.
bool ReadString(std::string_view s, size_t* i, std::string* out) {
  out->clear();
  for (size_t k = *i + 1; k < s.size(); ++k) {
    const char c = s[k];
    if (c == '"') {
      *i = k + 1;
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return false;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++k >= s.size()) return false;
    switch (s[k]) {
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '/':
        out->push_back('/');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      default:
        return false;  // \u escapes: the general parser handles them
    }
  }
  return false;
}

void SkipSpace(std::string_view s, size_t* i) {
  while (*i < s.size() &&
         (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')) {
    ++*i;
  }
}

// The field a JSON key names, as protobuf's parser finds it.
const FieldDescriptor* FindField(const Descriptor* d, const std::string& key) {
  const FieldDescriptor* f = d->FindFieldByName(key);
  if (f == nullptr) f = d->FindFieldByLowercaseName(key);
  if (f == nullptr) f = d->FindFieldByCamelcaseName(key);
  return f;
}

// Why protobuf's parser refused `json`, in words that quote nothing of it
// (a receipt line holds names, birth dates and member numbers): where the
// JSON breaks, or which known field holds a value of the wrong kind.
std::string DescribeRefusal(std::string_view json, const Descriptor* d) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::parse_error& e) {
    return absl::StrCat("invalid JSON: not well-formed at byte ", e.byte);
  } catch (const nlohmann::json::exception&) {
    return "invalid JSON: not well-formed";
  }
  if (!parsed.is_object()) return "invalid JSON: not an object";
  for (const auto& [key, value] : parsed.items()) {
    const FieldDescriptor* f = FindField(d, key);
    if (f == nullptr || value.is_null()) continue;
    const bool text = f->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
    if ((text && !f->is_repeated() && !value.is_string()) ||
        (f->is_repeated() && !value.is_array()) ||
        (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         !f->is_repeated() && !value.is_object())) {
      return absl::StrCat("invalid JSON: ", f->name(), " holds a ",
                          value.type_name(), " where ",
                          text ? "a string" : "another kind of value",
                          " is expected");
    }
  }
  return "invalid JSON: a value protobuf's JSON form does not allow";
}

// A flat object of string values into singular string fields, the common shape
// of a receipt line. Returns false — and the caller uses protobuf's parser —
// for anything else (numbers, nesting, \u escapes, unknown keys, errors), so
// results never differ.
bool FromFlatJson(std::string_view s, Message* m) {
  const Descriptor* d = m->GetDescriptor();
  const Reflection* r = m->GetReflection();
  size_t i = 0;
  SkipSpace(s, &i);
  if (i >= s.size() || s[i++] != '{') return false;
  std::string key, value;
  SkipSpace(s, &i);
  if (i < s.size() && s[i] == '}')
    return s.find_first_not_of(" \t\r\n", i + 1) == s.npos;
  for (;;) {
    SkipSpace(s, &i);
    if (i >= s.size() || s[i] != '"' || !ReadString(s, &i, &key)) return false;
    SkipSpace(s, &i);
    if (i >= s.size() || s[i++] != ':') return false;
    SkipSpace(s, &i);
    if (i >= s.size() || s[i] != '"' || !ReadString(s, &i, &value))
      return false;
    const FieldDescriptor* f = FindField(d, key);
    if (f == nullptr || f->is_repeated() ||
        f->type() != FieldDescriptor::TYPE_STRING) {
      return false;
    }
    r->SetString(m, f, value);
    SkipSpace(s, &i);
    if (i >= s.size()) return false;
    if (s[i] == '}') return s.find_first_not_of(" \t\r\n", i + 1) == s.npos;
    if (s[i++] != ',') return false;
  }
}

}  // namespace

std::string ToJsonLine(const google::protobuf::Message& message) {
  std::string out;
  if (HasUnsupported(message.GetDescriptor(), 0)) {
    (void)google::protobuf::util::MessageToJsonString(message, &out,
                                                      PrintOptions());
    return out;
  }
  out.reserve(512);
  AppendMessage(message, &out);
  return out;
}

absl::Status FromJson(std::string_view json,
                      google::protobuf::Message* message) {
  message->Clear();
  if (FromFlatJson(json, message)) return absl::OkStatus();
  message->Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message,
      options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        DescribeRefusal(json, message->GetDescriptor()));
  }
  return absl::OkStatus();
}

}  // namespace kuromaru::io
