#include "matcher/roster_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/parallel.h"
#include "base/status_macros.h"
#include "matcher/xxhash64.h"

#ifndef KUROMARU_VERSION
#define KUROMARU_VERSION "unknown"
#endif

namespace kuromaru::matcher {

const char* RosterFileWriterVersion() { return "kuromaru " KUROMARU_VERSION; }

namespace {

constexpr char kMagic[16] = "KUROMARU-ROSTER";  // 15 letters and a NUL
constexpr uint32_t kByteOrder = 0x01020304;
constexpr size_t kHeaderBytes = 128;
constexpr size_t kAlign = 64;
constexpr size_t kChecksumBlock = size_t{16} << 20;

// The header, as laid out at the start of the file.
struct Header {
  char magic[16];
  uint32_t byte_order;
  uint32_t format;
  char writer[48];
  uint64_t file_bytes;
  uint64_t sections;
  uint64_t table_offset;
  // XXH64 of the header before this field and of the section table.
  uint64_t checksum;
  char reserved[128 - 16 - 8 - 48 - 32];
};
static_assert(sizeof(Header) == kHeaderBytes);

struct TableEntry {
  uint32_t id;
  uint32_t reserved;
  uint64_t offset;
  uint64_t bytes;
  uint64_t checksum;
};
static_assert(sizeof(TableEntry) == 32);

enum SectionId : uint32_t {
  kMeta = 1,
  kRecords,
  kNames,
  kAddresses,
  kRawNames,
  kRawRows,
  kMembers,
  kMemberOffsets,
  kInsurerOffsets,
  kInsurerText,
  kPersonStart,
  kPersonEnrollments,
  kKanaCountsDirectory,
  kKanaCountsEntries,
  kKanjiCountsDirectory,
  kKanjiCountsEntries,
  kNamesakes,
  kIndexEntries,
  kIndexDirectory,
  kDirectoryBytes,
  kSectionEnd,
};

// Blocks of a section, each hashed on its own.
uint64_t Blocks(uint64_t bytes) {
  return std::max<uint64_t>(1, (bytes + kChecksumBlock - 1) / kChecksumBlock);
}
uint64_t BlockHash(const char* data, uint64_t bytes, uint64_t block) {
  const uint64_t begin = block * kChecksumBlock;
  const uint64_t end = std::min(bytes, begin + kChecksumBlock);
  return XxHash64(data + begin, end - begin);
}
// The checksums of many sections, every block of every section on a thread
// of its own.
std::vector<uint64_t> Checksums(
    const std::vector<std::pair<const char*, uint64_t>>& sections,
    int threads) {
  std::vector<std::pair<size_t, uint64_t>> tasks;  // section, block
  std::vector<std::vector<uint64_t>> hashes(sections.size());
  for (size_t s = 0; s < sections.size(); ++s) {
    hashes[s].resize(Blocks(sections[s].second));
    for (uint64_t b = 0; b < hashes[s].size(); ++b) tasks.emplace_back(s, b);
  }
  base::ParallelFor(tasks.size(), threads, [&](size_t t) {
    const auto [s, b] = tasks[t];
    hashes[s][b] = BlockHash(sections[s].first, sections[s].second, b);
  });
  std::vector<uint64_t> out;
  out.reserve(hashes.size());
  for (const std::vector<uint64_t>& h : hashes) {
    out.push_back(XxHash64(h.data(), h.size() * sizeof(uint64_t)));
  }
  return out;
}

uint64_t HeaderChecksum(const Header& header, const TableEntry* table,
                        uint64_t sections) {
  const uint64_t head = XxHash64(&header, offsetof(Header, checksum));
  const uint64_t rest = XxHash64(table, sections * sizeof(TableEntry));
  const uint64_t both[2] = {head, rest};
  return XxHash64(both, sizeof(both));
}

template <typename T>
std::pair<const char*, uint64_t> Bytes(const Column<T>& column) {
  return {reinterpret_cast<const char*>(column.data()), column.bytes()};
}

// Meta: "key=value" lines, values C-escaped.
std::string Meta(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv)
    absl::StrAppend(&out, k, "=", absl::CEscape(v), "\n");
  return out;
}

absl::Status Refused(const std::string& path, absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat("roster file ", path, " refused: ", why));
}

// A file mapped read-only; unmapped when the last roster using it goes.
class Mapping {
 public:
  Mapping(void* addr, size_t bytes) : addr_(addr), bytes_(bytes) {}
  ~Mapping() { munmap(addr_, bytes_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const char* data() const { return static_cast<const char*>(addr_); }
  size_t bytes() const { return bytes_; }

 private:
  void* addr_;
  size_t bytes_;
};

absl::Status WriteAll(int fd, const void* data, size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = write(fd, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::InternalError(std::strerror(errno));
    p += n;
    bytes -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

// Reads and writes the private arrays of a roster and its index.
class RosterFile {
 public:
  using Sections =
      std::vector<std::pair<uint32_t, std::pair<const char*, uint64_t>>>;

  static Sections Of(const RosterIndex& index, const std::string& meta,
                     const std::string& directory) {
    const Roster& r = index.roster();
    return {
        {kMeta, {meta.data(), meta.size()}},
        {kRecords, Bytes(r.records_)},
        {kNames, Bytes(r.names_)},
        {kAddresses, Bytes(r.addresses_)},
        {kRawNames, Bytes(r.raw_names_)},
        {kRawRows, Bytes(r.raw_rows_)},
        {kMembers, Bytes(r.members_)},
        {kMemberOffsets, Bytes(r.member_offsets_)},
        {kInsurerOffsets, Bytes(r.insurer_offsets_)},
        {kInsurerText, Bytes(r.insurer_text_)},
        {kPersonStart, Bytes(r.person_start_)},
        {kPersonEnrollments, Bytes(r.person_enrollments_)},
        {kKanaCountsDirectory, Bytes(r.kana_counts_.directory_)},
        {kKanaCountsEntries, Bytes(r.kana_counts_.entries_)},
        {kKanjiCountsDirectory, Bytes(r.kanji_counts_.directory_)},
        {kKanjiCountsEntries, Bytes(r.kanji_counts_.entries_)},
        {kNamesakes, Bytes(r.namesakes_)},
        {kIndexEntries, Bytes(index.entries_)},
        {kIndexDirectory, Bytes(index.directory_)},
        {kDirectoryBytes, {directory.data(), directory.size()}},
    };
  }

  static std::vector<std::pair<std::string, std::string>> MetaOf(
      const RosterIndex& index, const RosterFileInfo& info) {
    const Roster& r = index.roster();
    std::vector<std::pair<std::string, std::string>> kv = {
        {"roster_version", r.version_},
        {"rows", absl::StrCat(r.counts_.rows)},
        {"persons", absl::StrCat(r.counts_.persons)},
        {"insurers", absl::StrCat(r.counts_.insurers)},
        {"rows_with_wildcards", absl::StrCat(r.counts_.rows_with_wildcards)},
        {"kana_counts", CountsMeta(r.kana_counts_)},
        {"kanji_counts", CountsMeta(r.kanji_counts_)},
        {"index", absl::StrCat(index.entry_count_, " ", index.directory_bits_,
                               " ", index.id_bits_)},
        {"source_path", info.source_path},
        {"encoding", info.encoding},
        {"directory_path", info.directory_path},
        {"built_at", info.built_at},
    };
    for (const RosterFileInfo::Delta& d : info.deltas) {
      kv.emplace_back("delta", absl::StrCat(d.digest, " ", d.path));
    }
    return kv;
  }

  static std::string CountsMeta(const NameCounts& c) {
    uint64_t total, squares;
    std::memcpy(&total, &c.total_, sizeof(total));
    std::memcpy(&squares, &c.sum_of_squares_, sizeof(squares));
    return absl::StrCat(c.bits_, " ", total, " ", squares);
  }

  static bool ParseCounts(absl::string_view text, NameCounts* c) {
    std::vector<absl::string_view> parts = absl::StrSplit(text, ' ');
    uint64_t total = 0, squares = 0;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &c->bits_) ||
        !absl::SimpleAtoi(parts[1], &total) ||
        !absl::SimpleAtoi(parts[2], &squares) || c->bits_ < 0 ||
        c->bits_ > 40) {
      return false;
    }
    std::memcpy(&c->total_, &total, sizeof(total));
    std::memcpy(&c->sum_of_squares_, &squares, sizeof(squares));
    return true;
  }

  // Builds the roster and index over the verified sections of `mapping`.
  static absl::StatusOr<OpenedRosterFile> Assemble(
      const std::shared_ptr<const Mapping>& mapping,
      const std::map<uint32_t, std::pair<const char*, uint64_t>>& sections,
      const std::string& path);
  // What the file records of its making (the meta section's keys in `meta`).
  static absl::StatusOr<RosterFileInfo> Info(
      const std::map<uint32_t, std::pair<const char*, uint64_t>>& sections,
      const std::string& path,
      std::map<std::string, std::string>* meta = nullptr);
};

namespace {

template <typename T>
bool Take(const std::map<uint32_t, std::pair<const char*, uint64_t>>& sections,
          uint32_t id, Column<T>* out) {
  auto it = sections.find(id);
  if (it == sections.end() || it->second.second % sizeof(T) != 0 ||
      reinterpret_cast<uintptr_t>(it->second.first) % alignof(T) != 0) {
    return false;
  }
  *out = Column<T>::Mapped(
      std::span<const T>(reinterpret_cast<const T*>(it->second.first),
                         it->second.second / sizeof(T)));
  return true;
}

}  // namespace

absl::StatusOr<RosterFileInfo> RosterFile::Info(
    const std::map<uint32_t, std::pair<const char*, uint64_t>>& sections,
    const std::string& path, std::map<std::string, std::string>* meta) {
  auto bad = [&](absl::string_view what) {
    return Refused(path, absl::StrCat("inconsistent ", what));
  };
  std::map<std::string, std::string> local;
  if (meta == nullptr) meta = &local;
  RosterFileInfo info;
  {
    auto it = sections.find(kMeta);
    if (it == sections.end()) return bad("meta");
    for (absl::string_view line :
         absl::StrSplit(absl::string_view(it->second.first, it->second.second),
                        '\n', absl::SkipEmpty())) {
      const size_t eq = line.find('=');
      std::string value;
      if (eq == absl::string_view::npos ||
          !absl::CUnescape(line.substr(eq + 1), &value)) {
        return bad("meta");
      }
      const std::string key(line.substr(0, eq));
      if (key == "delta") {
        const size_t space = value.find(' ');
        if (space == std::string::npos) return bad("meta");
        info.deltas.push_back(
            {value.substr(space + 1), value.substr(0, space)});
      } else {
        (*meta)[key] = std::move(value);
      }
    }
  }
  info.source_path = (*meta)["source_path"];
  info.encoding = (*meta)["encoding"];
  info.directory_path = (*meta)["directory_path"];
  info.built_at = (*meta)["built_at"];
  if (auto it = sections.find(kDirectoryBytes); it != sections.end()) {
    info.directory_bytes.assign(it->second.first, it->second.second);
  }

  return info;
}

absl::StatusOr<OpenedRosterFile> RosterFile::Assemble(
    const std::shared_ptr<const Mapping>& mapping,
    const std::map<uint32_t, std::pair<const char*, uint64_t>>& sections,
    const std::string& path) {
  auto bad = [&](absl::string_view what) {
    return Refused(path, absl::StrCat("inconsistent ", what));
  };
  OpenedRosterFile out;
  std::map<std::string, std::string> meta;
  ASSIGN_OR_RETURN(out.info, Info(sections, path, &meta));

  std::shared_ptr<Roster> roster(new Roster());
  Roster& r = *roster;
  r.mapping_ = mapping;
  r.version_ = meta["roster_version"];
  if (!absl::SimpleAtoi(meta["rows"], &r.counts_.rows) ||
      !absl::SimpleAtoi(meta["persons"], &r.counts_.persons) ||
      !absl::SimpleAtoi(meta["insurers"], &r.counts_.insurers) ||
      !absl::SimpleAtoi(meta["rows_with_wildcards"],
                        &r.counts_.rows_with_wildcards) ||
      !ParseCounts(meta["kana_counts"], &r.kana_counts_) ||
      !ParseCounts(meta["kanji_counts"], &r.kanji_counts_)) {
    return bad("meta");
  }
  if (!Take(sections, kRecords, &r.records_) ||
      !Take(sections, kNames, &r.names_) ||
      !Take(sections, kAddresses, &r.addresses_) ||
      !Take(sections, kRawNames, &r.raw_names_) ||
      !Take(sections, kRawRows, &r.raw_rows_) ||
      !Take(sections, kMembers, &r.members_) ||
      !Take(sections, kMemberOffsets, &r.member_offsets_) ||
      !Take(sections, kInsurerOffsets, &r.insurer_offsets_) ||
      !Take(sections, kInsurerText, &r.insurer_text_) ||
      !Take(sections, kPersonStart, &r.person_start_) ||
      !Take(sections, kPersonEnrollments, &r.person_enrollments_) ||
      !Take(sections, kKanaCountsDirectory, &r.kana_counts_.directory_) ||
      !Take(sections, kKanaCountsEntries, &r.kana_counts_.entries_) ||
      !Take(sections, kKanjiCountsDirectory, &r.kanji_counts_.directory_) ||
      !Take(sections, kKanjiCountsEntries, &r.kanji_counts_.entries_) ||
      !Take(sections, kNamesakes, &r.namesakes_)) {
    return bad("roster sections");
  }
  const size_t rows = r.records_.size();
  if (static_cast<int64_t>(rows) != r.counts_.rows ||
      r.person_start_.size() != static_cast<size_t>(r.counts_.persons) + 1 ||
      r.person_enrollments_.size() != rows ||
      r.namesakes_.size() != static_cast<size_t>(r.counts_.persons) ||
      r.member_offsets_.size() != (rows + kMemberStride - 1) / kMemberStride ||
      r.insurer_offsets_.empty() ||
      r.kana_counts_.directory_.size() !=
          (size_t{1} << r.kana_counts_.bits_) + 1 ||
      r.kanji_counts_.directory_.size() !=
          (size_t{1} << r.kanji_counts_.bits_) + 1) {
    return bad("roster sizes");
  }

  std::shared_ptr<RosterIndex> index(new RosterIndex(roster));
  {
    std::vector<absl::string_view> parts = absl::StrSplit(meta["index"], ' ');
    uint64_t entries = 0;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &entries) ||
        !absl::SimpleAtoi(parts[1], &index->directory_bits_) ||
        !absl::SimpleAtoi(parts[2], &index->id_bits_) ||
        index->directory_bits_ < 1 || index->directory_bits_ > 31 ||
        index->id_bits_ < 1 || index->id_bits_ > 32) {
      return bad("index meta");
    }
    index->entry_count_ = entries;
  }
  if (!Take(sections, kIndexEntries, &index->entries_) ||
      !Take(sections, kIndexDirectory, &index->directory_) ||
      index->entries_.size() != index->entry_count_ * 5 + 3 ||
      index->directory_.size() != (size_t{1} << index->directory_bits_) + 1 ||
      index->directory_[index->directory_.size() - 1] != index->entry_count_) {
    return bad("index sections");
  }
  out.index = std::move(index);
  return out;
}

absl::StatusOr<uint64_t> WriteRosterFile(const RosterIndex& index,
                                         const RosterFileInfo& info,
                                         const std::string& path,
                                         const std::string& writer) {
  const std::string meta = Meta(RosterFile::MetaOf(index, info));
  const RosterFile::Sections sections =
      RosterFile::Of(index, meta, info.directory_bytes);
  std::vector<std::pair<const char*, uint64_t>> spans;
  for (const auto& [id, span] : sections) spans.push_back(span);
  const std::vector<uint64_t> checksums = Checksums(spans, 0);

  std::vector<TableEntry> table(sections.size());
  uint64_t at = kHeaderBytes + table.size() * sizeof(TableEntry);
  for (size_t s = 0; s < sections.size(); ++s) {
    at = (at + kAlign - 1) / kAlign * kAlign;
    table[s] = {sections[s].first, 0, at, sections[s].second.second,
                checksums[s]};
    at += sections[s].second.second;
  }
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.byte_order = kByteOrder;
  header.format = kRosterFileFormat;
  std::strncpy(header.writer, writer.c_str(), sizeof(header.writer) - 1);
  header.file_bytes = at;
  header.sections = table.size();
  header.table_offset = kHeaderBytes;
  header.checksum = HeaderChecksum(header, table.data(), table.size());

  const std::string temp = path + ".tmp";
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", temp, ": ", std::strerror(errno)));
  }
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(WriteAll(fd, &header, sizeof(header)));
    RETURN_IF_ERROR(
        WriteAll(fd, table.data(), table.size() * sizeof(TableEntry)));
    uint64_t written = kHeaderBytes + table.size() * sizeof(TableEntry);
    static const char kZeros[kAlign] = {};
    for (size_t s = 0; s < sections.size(); ++s) {
      RETURN_IF_ERROR(WriteAll(fd, kZeros, table[s].offset - written));
      RETURN_IF_ERROR(
          WriteAll(fd, sections[s].second.first, sections[s].second.second));
      written = table[s].offset + table[s].bytes;
    }
    if (fsync(fd) != 0) return absl::InternalError(std::strerror(errno));
    return absl::OkStatus();
  }();
  close(fd);
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status = absl::InternalError(std::strerror(errno));
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return absl::Status(status.code(),
                        absl::StrCat("writing ", path, ": ", status.message()));
  }
  return header.file_bytes;
}

bool LooksLikeRosterFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[sizeof(kMagic)] = {};
  const ssize_t n = pread(fd, magic, sizeof(magic), 0);
  close(fd);
  return n == sizeof(magic) && std::memcmp(magic, kMagic, sizeof(kMagic)) == 0;
}

namespace {

// A mapped file whose header, table and every section checksum are verified.
struct VerifiedFile {
  std::shared_ptr<const Mapping> mapping;
  std::map<uint32_t, std::pair<const char*, uint64_t>> sections;
  std::string writer;
  uint64_t bytes = 0;
};

// Maps and verifies `path`; a file written by another kuromaru version is
// refused unless `any_writer`.
absl::StatusOr<VerifiedFile> Verify(const std::string& path,
                                    const RosterFileOptions& options,
                                    bool any_writer) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot open roster file ", path,
                                            ": ", std::strerror(errno)));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    close(fd);
    return absl::InternalError(std::strerror(errno));
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < kHeaderBytes) {
    char magic[sizeof(kMagic)] = {};
    const bool ours = pread(fd, magic, sizeof(magic), 0) == sizeof(magic) &&
                      std::memcmp(magic, kMagic, sizeof(kMagic)) == 0;
    close(fd);
    return Refused(path, ours ? absl::StrCat("truncated: ", size, " bytes")
                              : "not a kuromaru roster file");
  }
  void* addr = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (addr == MAP_FAILED) {
    return absl::InternalError(
        absl::StrCat("cannot map ", path, ": ", std::strerror(errno)));
  }
  auto mapping = std::make_shared<const Mapping>(addr, size);
  const char* base = mapping->data();
  Header header;
  std::memcpy(&header, base, sizeof(header));
  if (std::memcmp(header.magic, kMagic, sizeof(kMagic)) != 0) {
    return Refused(path, "not a kuromaru roster file");
  }
  if (header.byte_order != kByteOrder) {
    return Refused(path, "written on a machine of another byte order");
  }
  const std::string writer(header.writer,
                           strnlen(header.writer, sizeof(header.writer)));
  if (header.format != kRosterFileFormat) {
    return Refused(path, absl::StrCat("roster file format ", header.format,
                                      " (written by ", writer, "); ",
                                      RosterFileWriterVersion(), " reads ",
                                      kRosterFileFormat,
                                      ": rebuild it with `kuromaru roster "
                                      "build`"));
  }
  if (!any_writer && writer != RosterFileWriterVersion()) {
    return Refused(path, absl::StrCat("written by ", writer, ", this is ",
                                      RosterFileWriterVersion(),
                                      ": rebuild it with `kuromaru roster "
                                      "build`"));
  }
  if (header.file_bytes != size) {
    return Refused(
        path,
        absl::StrCat(size < header.file_bytes ? "truncated" : "too long", ": ",
                     size, " bytes, the header says ", header.file_bytes));
  }
  if (header.table_offset != kHeaderBytes || header.sections > 1024 ||
      kHeaderBytes + header.sections * sizeof(TableEntry) > size) {
    return Refused(path, "corrupted header");
  }
  std::vector<TableEntry> table(header.sections);
  std::memcpy(table.data(), base + kHeaderBytes,
              table.size() * sizeof(TableEntry));
  if (HeaderChecksum(header, table.data(), table.size()) != header.checksum) {
    return Refused(path, "corrupted header (checksum)");
  }
  std::map<uint32_t, std::pair<const char*, uint64_t>> sections;
  std::vector<std::pair<const char*, uint64_t>> spans;
  for (const TableEntry& e : table) {
    if (e.offset % kAlign != 0 || e.offset > size ||
        e.bytes > size - e.offset ||
        !sections.emplace(e.id, std::make_pair(base + e.offset, e.bytes))
             .second) {
      return Refused(path, "corrupted section table");
    }
    spans.emplace_back(base + e.offset, e.bytes);
  }
  const std::vector<uint64_t> checksums = Checksums(spans, options.threads);
  for (size_t s = 0; s < table.size(); ++s) {
    if (checksums[s] != table[s].checksum) {
      return Refused(
          path, absl::StrCat("section ", table[s].id, " corrupted (checksum)"));
    }
  }
  return VerifiedFile{std::move(mapping), std::move(sections), writer, size};
}

}  // namespace

absl::StatusOr<OpenedRosterFile> OpenRosterFile(
    const std::string& path, const RosterFileOptions& options) {
  ASSIGN_OR_RETURN(VerifiedFile file, Verify(path, options, false));
  ASSIGN_OR_RETURN(OpenedRosterFile out,
                   RosterFile::Assemble(file.mapping, file.sections, path));
  out.writer_version = file.writer;
  out.file_bytes = file.bytes;
  return out;
}

absl::StatusOr<ForeignRosterFile> ReadRosterFileInfo(
    const std::string& path, const RosterFileOptions& options) {
  ASSIGN_OR_RETURN(VerifiedFile file, Verify(path, options, true));
  ForeignRosterFile out;
  ASSIGN_OR_RETURN(out.info, RosterFile::Info(file.sections, path));
  out.writer_version = file.writer;
  return out;
}

}  // namespace kuromaru::matcher
