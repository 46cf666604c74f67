#!/usr/bin/python3
"""Builds the variant-kanji folding table and the JIS X 0208 bitmap.

Inputs (Debian `unicode-data`):
  Unihan_OtherMappings.txt.bz2  kJis0, kJIS0213, kIBMJapan, kJoyoKanji, kJinmeiyoKanji
  Unihan_Variants.txt.bz2       kZVariant, kSemanticVariant (never kSimplifiedVariant
                                or kTraditionalVariant: those are Chinese reforms)
  EquivalentUnifiedIdeograph.txt  CJK radicals -> unified ideographs
plus the curated pairs in name_variants.txt and the canonical decompositions of the
CJK compatibility ideographs.

A variant is folded to one canonical form. The canonical of a pair is the JIS X 0208
character, then the jōyō kanji, then the JIS level-1 kanji. Chains are resolved to a
fixed point; a cycle, a canonical outside JIS X 0208 (for Unihan and curated pairs), or
a jōyō kanji folded into another character is an error.

JIS X 0208 membership: kanji from kJis0; every other character whose `euc_jp` encoding
(Python codec) is two bytes in A1-FE (JIS X 0208, not the 8F-prefixed JIS X 0212 or
the 8E-prefixed half-width katakana).

Output: a C++ header with sorted constexpr arrays. Standard library only.
"""

import argparse
import bz2
import os
import re
import sys
import unicodedata

PRIORITY_CURATED = 0
PRIORITY_OFFICIAL = 1  # kJinmeiyoKanji, kJoyoKanji alternates
PRIORITY_ZVARIANT = 2
PRIORITY_SEMANTIC = 3
PRIORITY_COMPAT = 4  # canonical decompositions, radicals

_CODE = re.compile(r"U\+([0-9A-F]{4,6})")


def read_unihan(path, fields):
    out = {f: {} for f in fields}
    with bz2.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cp, field, value = line.rstrip("\n").split("\t", 2)
            if field in out:
                out[field][int(cp[2:], 16)] = value
    return out


class Tables:
    def __init__(self, unicode_dir):
        om = read_unihan(
            os.path.join(unicode_dir, "Unihan_OtherMappings.txt.bz2"),
            ["kJis0", "kJIS0213", "kIBMJapan", "kJoyoKanji", "kJinmeiyoKanji"])
        self.jis0 = om["kJis0"]
        self.jis0213 = om["kJIS0213"]
        self.ibm = om["kIBMJapan"]
        self.joyo = om["kJoyoKanji"]
        self.jinmeiyo = om["kJinmeiyoKanji"]
        self.variants = read_unihan(
            os.path.join(unicode_dir, "Unihan_Variants.txt.bz2"),
            ["kZVariant", "kSemanticVariant"])
        self.unicode_dir = unicode_dir

    def japanese(self, c):
        return (c in self.jis0 or c in self.jis0213 or c in self.ibm or
                c in self.jinmeiyo)

    def rank(self, c):
        """Lower is a better canonical form."""
        if c in self.jis0:
            level1 = int(self.jis0[c][:2]) <= 47
            return (0, 0 if c in self.joyo else 1, 0 if level1 else 1)
        return (1, 0 if c in self.joyo else 1, 1)


def nfc(c):
    s = unicodedata.normalize("NFC", chr(c))
    return ord(s) if len(s) == 1 else c


class Builder:
    def __init__(self, tables):
        self.t = tables
        self.pairs = {}  # variant -> (canonical, priority, source)
        self.blocked = set()

    def add(self, variant, canonical, priority, source):
        if variant == canonical or variant in self.blocked:
            return
        old = self.pairs.get(variant)
        if old is None or priority < old[1]:
            self.pairs[variant] = (canonical, priority, source)
        elif priority == old[1] and old[0] != canonical:
            raise SystemExit("conflict for U+%04X: U+%04X (%s) vs U+%04X (%s)" %
                             (variant, old[0], old[2], canonical, source))

    def add_pair(self, a, b, priority, source):
        """Adds an unordered pair, choosing the canonical by rank (ties keep b)."""
        a, b = nfc(a), nfc(b)
        if a == b:
            return
        if self.t.rank(a) < self.t.rank(b):
            a, b = b, a
        if b not in self.t.jis0 or (a in self.t.joyo and
                                    source != "kJoyoKanji alternate"):
            return
        self.add(a, b, priority, source)

    def official(self):
        for c, value in self.t.jinmeiyo.items():
            for target in _CODE.findall(value):
                self.add_pair(c, int(target, 16), PRIORITY_OFFICIAL,
                              "kJinmeiyoKanji")
        for c, value in self.t.joyo.items():
            for target in _CODE.findall(value):
                self.add_pair(c, int(target, 16), PRIORITY_OFFICIAL,
                              "kJoyoKanji alternate")

    def zvariants(self):
        # Z-variants are one abstract character drawn differently: fold every
        # member of a group to its best-ranked member.
        for c, value in self.t.variants["kZVariant"].items():
            group = [c] + [int(x, 16) for x in _CODE.findall(value)]
            group = [nfc(x) for x in group if self.t.japanese(nfc(x))]
            if len(group) < 2:
                continue
            best = min(group, key=lambda x: (self.t.rank(x), x))
            if best not in self.t.jis0:
                continue
            for x in group:
                if x != best and x not in self.t.joyo:
                    self.add(x, best, PRIORITY_ZVARIANT, "kZVariant")

    def semantic(self):
        # kSemanticVariant mixes in Chinese forms and merely related characters
        # (濵 -> 瀕, 籐 -> 藤), so only CP932 IBM/NEC extension characters outside
        # JIS X 0208 with a single jōyō/jinmeiyō target are taken; the curated list
        # overrides or blocks the rest.
        for c, value in self.t.variants["kSemanticVariant"].items():
            if c not in self.t.ibm or c in self.t.jis0 or nfc(c) != c:
                continue
            targets = {int(x, 16) for x in _CODE.findall(value)}
            targets = [x for x in targets if x in self.t.jis0 and
                       (x in self.t.joyo or x in self.t.jinmeiyo)]
            if len(targets) == 1:
                self.add(c, targets[0], PRIORITY_SEMANTIC, "kSemanticVariant")

    def compat(self):
        for c in list(range(0xF900, 0xFB00)) + list(range(0x2F800, 0x2FA20)):
            target = nfc(c)
            if target != c:
                self.add(c, target, PRIORITY_COMPAT, "canonical decomposition")
        path = os.path.join(self.t.unicode_dir, "EquivalentUnifiedIdeograph.txt")
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                sources, target = [x.strip() for x in line.split(";")]
                lo, _, hi = sources.partition("..")
                for c in range(int(lo, 16), int(hi or lo, 16) + 1):
                    self.add(c, int(target, 16), PRIORITY_COMPAT,
                             "EquivalentUnifiedIdeograph")

    def curated(self, path):
        count = 0
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if line.startswith("#") or not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) < 3 or len(fields[0]) != 1 or len(fields[1]) != 1:
                    raise SystemExit("%s:%d: want variant<TAB>canonical<TAB>source"
                                     % (path, number))
                variant, canonical = ord(fields[0]), ord(fields[1])
                if variant == canonical:  # keep distinct: blocks Unihan pairs
                    self.blocked.add(variant)
                    self.pairs.pop(variant, None)
                    continue
                if canonical not in self.t.jis0:
                    raise SystemExit("%s:%d: canonical %s is not JIS X 0208" %
                                     (path, number, fields[1]))
                if variant in self.t.joyo:
                    raise SystemExit("%s:%d: %s is a jōyō kanji" %
                                     (path, number, fields[0]))
                old = self.pairs.get(variant)
                if old and old[1] == PRIORITY_CURATED:
                    raise SystemExit("%s:%d: duplicate %s" % (path, number, fields[0]))
                self.pairs[variant] = (canonical, PRIORITY_CURATED, "curated")
                count += 1
        return count

    def close(self):
        """Resolves chains to their end; rejects cycles."""
        resolved = {}
        for variant in self.pairs:
            seen = [variant]
            c = self.pairs[variant][0]
            while c in self.pairs:
                if c in seen:
                    raise SystemExit("cycle: " + " -> ".join(
                        "U+%04X" % x for x in seen + [c]))
                seen.append(c)
                c = self.pairs[c][0]
            resolved[variant] = c
        for variant, canonical in resolved.items():
            assert canonical not in resolved and canonical != variant
        return resolved


def jis_x0208(tables):
    members = set(c for c in tables.jis0 if c < 0x10000)
    for c in range(0x10000):
        if 0x3400 <= c <= 0x9FFF or 0xD800 <= c <= 0xDFFF or 0xF900 <= c <= 0xFAFF:
            continue
        try:
            b = chr(c).encode("euc_jp")
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and 0xA1 <= b[0] <= 0xFE and 0xA1 <= b[1] <= 0xFE:
            members.add(c)
    return members


def write_header(path, resolved, sources, jis):
    bits = [0] * 1024
    for c in jis:
        bits[c >> 6] |= 1 << (c & 63)
    out = []
    out.append("// Generated by normalizer/tables/gen_name_tables.py. Do not edit.\n")
    out.append("#ifndef KUROMARU_NORMALIZER_NAME_TABLES_H_\n")
    out.append("#define KUROMARU_NORMALIZER_NAME_TABLES_H_\n\n")
    out.append("#include <cstdint>\n\n")
    out.append("namespace kuromaru::normalizer::name_tables {\n\n")
    out.append("struct VariantPair {\n  char32_t variant;\n  char32_t canonical;\n};\n\n")
    out.append("// Sorted by variant; every canonical is a fixed point.\n")
    out.append("inline constexpr VariantPair kVariantPairs[] = {\n")
    for v in sorted(resolved):
        out.append("    {0x%04X, 0x%04X},  // %s %s %s\n" %
                   (v, resolved[v], chr(v), chr(resolved[v]), sources[v]))
    out.append("};\n\n")
    out.append("// JIS X 0208 membership of the BMP, one bit per code point.\n")
    out.append("inline constexpr uint64_t kJisX0208Bits[1024] = {\n")
    for i in range(0, 1024, 4):
        out.append("    " + ", ".join("0x%016XULL" % b for b in bits[i:i + 4]) +
                   ",\n")
    out.append("};\n\n")
    out.append("}  // namespace kuromaru::normalizer::name_tables\n\n")
    out.append("#endif  // KUROMARU_NORMALIZER_NAME_TABLES_H_\n")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("".join(out))
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unicode-dir", default="/usr/share/unicode")
    parser.add_argument("--curated", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()

    tables = Tables(args.unicode_dir)
    builder = Builder(tables)
    # Curated blocks first so that they also stop Unihan pairs added later.
    curated_count = builder.curated(args.curated)
    builder.official()
    builder.zvariants()
    builder.semantic()
    builder.compat()
    resolved = builder.close()
    sources = {v: builder.pairs[v][2] for v in resolved}
    jis = jis_x0208(tables)
    write_header(args.output, resolved, sources, jis)
    if args.report:
        counts = {}
        for s in sources.values():
            counts[s] = counts.get(s, 0) + 1
        print("curated lines: %d" % curated_count)
        for s, n in sorted(counts.items()):
            print("%s: %d" % (s, n))
        print("total pairs: %d, JIS X 0208 members: %d (kanji %d)" %
              (len(resolved), len(jis), len(tables.jis0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
