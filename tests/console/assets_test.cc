// The console's built assets as compiled into the binary: all there,
// well-formed, and within the rules the Content-Security-Policy enforces (no
// inline script or style), with no markup-parsing sink in the bundle.
#include "services/console/assets/assets.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <string_view>

namespace kuromaru::console {
namespace {

std::string Body(std::string_view path) {
  const Asset* a = FindAsset(path);
  return a == nullptr ? std::string() : std::string(a->body);
}

TEST(ConsoleAssets, IndexScriptAndStylesheetAreThere) {
  ASSERT_GE(Assets().size(), 3u);
  EXPECT_EQ(Assets()[0].path, "/");
  const Asset* index = FindAsset("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  const Asset* js = FindAsset("/assets/app.js");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  const Asset* css = FindAsset("/assets/app.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(FindAsset("/assets/missing.js"), nullptr);
  EXPECT_EQ(FindAsset(""), nullptr);
}

TEST(ConsoleAssets, PathsAreUniqueAndEtagsQuotedHashes) {
  std::set<std::string_view> paths;
  const std::regex etag("\"sha256-[0-9a-f]{64}\"");
  for (const Asset& a : Assets()) {
    EXPECT_TRUE(paths.insert(a.path).second) << a.path;
    EXPECT_FALSE(a.body.empty()) << a.path;
    EXPECT_TRUE(std::regex_match(std::string(a.etag), etag)) << a.etag;
  }
}

TEST(ConsoleAssets, IndexReferencesTheBundleAndNothingInline) {
  const std::string html = Body("/");
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  // Every <script> names its source; every stylesheet and script is one we
  // serve.
  const std::regex script("<script([^>]*)>");
  int scripts = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), script);
       it != std::sregex_iterator(); ++it) {
    ++scripts;
    std::smatch src;
    const std::string attrs = (*it)[1];
    ASSERT_TRUE(
        std::regex_search(attrs, src, std::regex(R"re(src="([^"]+)")re")))
        << attrs;
    EXPECT_NE(FindAsset(src[1].str()), nullptr) << src[1];
  }
  EXPECT_EQ(scripts, 1);
  std::smatch href;
  ASSERT_TRUE(std::regex_search(
      html, href, std::regex(R"re(rel="stylesheet" href="([^"]+)")re")));
  EXPECT_NE(FindAsset(href[1].str()), nullptr) << href[1];
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find("style="), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+=)")))
      << "inline event handler";
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(ConsoleAssets, BundleHasNoMarkupSinkOrEval) {
  const std::string js = Body("/assets/app.js");
  ASSERT_GT(js.size(), 1000u);
  for (const char* sink :
       {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
        "eval(", "new Function", "setAttribute(\"style\"",
        "createContextualFragment"}) {
    EXPECT_EQ(js.find(sink), std::string::npos) << sink;
  }
  // Nothing is fetched from elsewhere: every URL in the bundle is the server's
  // own.
  EXPECT_EQ(js.find("https://"), std::string::npos);
  EXPECT_NE(js.find("/api/v1/"), std::string::npos);
}

TEST(ConsoleAssets, StylesheetPicksNotoSansCjkAndFetchesNothing) {
  const std::string css = Body("/assets/app.css");
  EXPECT_NE(css.find("Noto Sans CJK JP"), std::string::npos);
  EXPECT_EQ(css.find("url("), std::string::npos);
  EXPECT_EQ(css.find("@import"), std::string::npos);
}

}  // namespace
}  // namespace kuromaru::console
