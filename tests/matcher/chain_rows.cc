#include "tests/matcher/chain_rows.h"

namespace kuromaru::matcher::testing {

RosterRow Kokuho() {
  return {.insurer_number = "141002",
          .symbol = "横浜",
          .number = "0042",
          .name_kanji = "髙橋　一郎",
          .name_kana = "タカハシ　イチロウ",
          .birth_date = "19490501",
          .sex = "1",
          .qualified_from = "20100401",
          .qualified_until = "20240501",
          .postal_code = "2310001",
          .address = "神奈川県横浜市中区新港1-2-3"};
}

RosterRow Kouki() {
  RosterRow r = Kokuho();
  r.insurer_number = "39141015";
  r.symbol = "";
  r.number = "12345678";
  r.name_kanji = "高橋一郎";
  r.name_kana = "";
  r.qualified_from = "20240501";
  r.qualified_until = "";
  return r;
}

}  // namespace kuromaru::matcher::testing
