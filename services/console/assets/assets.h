// The reviewer console's web assets (index.html, app.js, app.css), compiled
// into the binary at build time from services/console/web/ so that nothing is
// fetched at run time.
//
//   const Asset* a = FindAsset("/assets/app.js");
//   if (a != nullptr) Reply(a->content_type, a->etag, a->body);
//
// The data is constant and lives for the whole program: every function here is
// thread-safe and the views stay valid forever.
#ifndef KUROMARU_SERVICES_CONSOLE_ASSETS_ASSETS_H_
#define KUROMARU_SERVICES_CONSOLE_ASSETS_ASSETS_H_

#include <span>
#include <string_view>

namespace kuromaru::console {

struct Asset {
  // The URL path it is served at: "/", "/assets/app.js".
  std::string_view path;
  // With its charset: "text/javascript; charset=utf-8".
  std::string_view content_type;
  // The bytes as built.
  std::string_view body;
  // A strong ETag of the body, quoted: "\"sha256-<hex>\"".
  std::string_view etag;
};

// Every asset, the index page first.
std::span<const Asset> Assets();

// The asset served at `path` (the query already removed), or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace kuromaru::console

#endif  // KUROMARU_SERVICES_CONSOLE_ASSETS_ASSETS_H_
