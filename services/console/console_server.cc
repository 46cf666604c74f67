#include "services/console/console_server.h"

#include <httplib.h>

#include <functional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/log.h"
#include "services/console/assets/assets.h"

namespace kuromaru::console {
namespace {

using json = nlohmann::json;
using grpc_service::Role;

constexpr char kCookie[] = "km_session";
constexpr char kCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

void SecurityHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kCsp);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
}

void Send(httplib::Response& res, const Reply& reply) {
  res.status = reply.status;
  res.set_header("Cache-Control", "no-store");
  if (reply.status == 204) return;
  res.set_content(
      reply.body.dump(-1, ' ', false, json::error_handler_t::replace),
      "application/json; charset=utf-8");
}

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  for (absl::string_view part :
       absl::StrSplit(req.get_header_value("Cookie"), ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, absl::StrCat(std::string(name), "="))) {
      return std::string(part);
    }
  }
  return "";
}

uint8_t ConsoleRoles(uint8_t roles) {
  return roles & (static_cast<uint8_t>(Role::kReviewer) |
                  static_cast<uint8_t>(Role::kAdmin));
}

json RoleNames(uint8_t roles) {
  json out = json::array();
  for (Role r : {Role::kReviewer, Role::kAdmin}) {
    if (roles & static_cast<uint8_t>(r))
      out.push_back(grpc_service::RoleName(r));
  }
  return out;
}

json SessionBody(const Session& s, absl::Duration idle) {
  return {{"subject", s.subject},
          {"roles", RoleNames(s.roles)},
          {"csrf_token", s.csrf_token},
          {"idle_timeout_seconds", absl::ToInt64Seconds(idle)}};
}

Params QueryParams(const httplib::Request& req) {
  Params out;
  for (const auto& [k, v] : req.params) out[k] = v;
  return out;
}

}  // namespace

bool IsLoopback(const std::string& listen) {
  std::string_view host = listen;
  const size_t colon = host.rfind(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  if (!host.empty() && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

ConsoleServer::ConsoleServer(const ConsoleOptions& options, ConsoleApi* api,
                             grpc_service::TokenKeeper* tokens)
    : options_(options),
      api_(api),
      tokens_(tokens),
      sessions_(options.idle_timeout) {}

ConsoleServer::~ConsoleServer() { Stop(); }

void ConsoleServer::Stop() {
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<ConsoleServer>> ConsoleServer::Start(
    const ConsoleOptions& options, ConsoleApi* api,
    grpc_service::TokenKeeper* tokens) {
  const size_t colon = options.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError("console-listen: expected HOST:PORT");
  }
  std::string host = options.listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  const bool tls = !options.cert_file.empty() || !options.key_file.empty();
  if (tls && (options.cert_file.empty() || options.key_file.empty())) {
    return absl::InvalidArgumentError(
        "console: TLS needs both a certificate and a key");
  }
  if (!tls && !options.insecure && !IsLoopback(options.listen)) {
    return absl::InvalidArgumentError(
        "console-listen: plain HTTP only on a loopback address; give the "
        "TLS certificate flags or --console-insecure");
  }
  std::unique_ptr<ConsoleServer> server(
      new ConsoleServer(options, api, tokens));
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.cert_file.c_str(),
                                                    options.key_file.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(
          "console: cannot load the TLS certificate or key");
    }
    server->http_ = std::move(ssl);
  } else {
    server->http_ = std::make_unique<httplib::Server>();
  }
  server->tls_ = tls;
  server->http_->set_payload_max_length(options.max_body_bytes);
  server->Routes();
  const int bound = port == 0
                        ? server->http_->bind_to_any_port(host)
                        : (server->http_->bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return absl::UnavailableError(
        absl::StrCat("console: cannot listen on ", options.listen));
  }
  server->port_ = bound;
  httplib::Server* http = server->http_.get();
  server->thread_ = std::thread([http] { http->listen_after_bind(); });
  base::Log(base::LogLevel::kInfo, "console listening",
            {{"port", static_cast<int64_t>(bound)}, {"tls", tls}});
  return server;
}

namespace {

// The request's body as a JSON object (an empty body is {}).
bool JsonBody(const httplib::Request& req, json* out) {
  if (req.body.empty()) {
    *out = json::object();
    return true;
  }
  *out = json::parse(req.body, nullptr, false);
  return !out->is_discarded() && out->is_object();
}

using ApiHandler = std::function<Reply(const Caller&, const httplib::Request&)>;
using BodyHandler =
    std::function<Reply(const Caller&, const httplib::Request&, const json&)>;

// `fn` given the body, or 400 when it is not a JSON object.
ApiHandler WithBody(const BodyHandler& fn) {
  return [fn](const Caller& caller, const httplib::Request& req) -> Reply {
    json body;
    if (!JsonBody(req, &body)) {
      return ErrorReply(400, "INVALID_ARGUMENT",
                        "the body is not a JSON object");
    }
    return fn(caller, req, body);
  };
}

// The access log (method, path without its query, status), the security
// headers on every answer, and a JSON error for what httplib refuses itself.
void InstallHooks(httplib::Server& s) {
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    base::Log(base::LogLevel::kInfo, "console request",
              {{"method", req.method},
               {"path", req.path},
               {"status", static_cast<int64_t>(res.status)}});
  });
  s.set_post_routing_handler(
      [](const httplib::Request&, httplib::Response& res) {
        SecurityHeaders(res);
      });
  // Errors a handler already answered keep their body; this names the ones
  // httplib raises itself (no route, a body too large).
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || !absl::StartsWith(req.path, "/api/")) return;
    const char* code = res.status == 413   ? "PAYLOAD_TOO_LARGE"
                       : res.status == 404 ? "NOT_FOUND"
                                           : "HTTP_ERROR";
    Send(res, ErrorReply(res.status, code,
                         res.status == 413 ? "request body too large"
                                           : "no such resource"));
  });
}

// The single-page app's assets, with ETags.
void AssetRoutes(httplib::Server& s) {
  auto asset = [](const char* path) {
    return [path](const httplib::Request& req, httplib::Response& res) {
      const Asset* a = FindAsset(path);
      if (a == nullptr) {
        res.status = 404;
        return;
      }
      res.set_header("ETag", std::string(a->etag));
      res.set_header("Cache-Control", "no-cache");
      if (req.get_header_value("If-None-Match") == a->etag) {
        res.status = 304;
        return;
      }
      res.set_content(std::string(a->body), std::string(a->content_type));
    };
  };
  s.Get("/", asset("/"));
  s.Get("/assets/app.js", asset("/assets/app.js"));
  s.Get("/assets/app.css", asset("/assets/app.css"));
}

}  // namespace

void ConsoleServer::Routes() {
  InstallHooks(*http_);
  AssetRoutes(*http_);
  SessionRoutes();
  ApiRoutes();
}

void ConsoleServer::SessionRoutes() {
  httplib::Server& s = *http_;
  // Sign-in and the session (sign-out is an API route).
  s.Post("/api/v1/session", [this](const httplib::Request& req,
                                   httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("token") ||
        !body["token"].is_string()) {
      return Send(res, ErrorReply(400, "INVALID_ARGUMENT",
                                  "expected {\"token\": \"…\"}", "token"));
    }
    const std::string token = body["token"].get<std::string>();
    const grpc_service::Principal* p = tokens_->Current()->Find(token);
    if (p == nullptr) {
      return Send(res, ErrorReply(401, "UNAUTHENTICATED", "unknown token"));
    }
    const uint8_t roles = ConsoleRoles(p->roles);
    if (roles == 0) {
      return Send(res, ErrorReply(403, "PERMISSION_DENIED",
                                  "the console is for reviewers and admins"));
    }
    absl::StatusOr<Session> session = sessions_.Create(p->subject, roles);
    if (!session.ok()) return Send(res, ErrorReply(session.status()));
    res.set_header("Set-Cookie",
                   absl::StrCat(kCookie, "=", session->id,
                                "; HttpOnly; SameSite=Strict; Path=/",
                                tls_ ? "; Secure" : ""));
    base::Log(base::LogLevel::kInfo, "console sign-in",
              {{"subject", session->subject}});
    Send(res, {200, SessionBody(*session, sessions_.idle_timeout())});
  });
  s.Get("/api/v1/session", [this](const httplib::Request& req,
                                  httplib::Response& res) {
    std::optional<Session> session = sessions_.Touch(CookieValue(req, kCookie));
    if (!session) {
      return Send(res, ErrorReply(401, "UNAUTHENTICATED", "not signed in"));
    }
    Send(res, {200, SessionBody(*session, sessions_.idle_timeout())});
  });
}

void ConsoleServer::ApiRoutes() {
  httplib::Server& s = *http_;
  // Everything else: a session; a CSRF header and a JSON body on mutations.
  auto guarded = [this](const ApiHandler& handler) {
    return [this, handler](const httplib::Request& req,
                           httplib::Response& res) {
      std::optional<Session> session =
          sessions_.Touch(CookieValue(req, kCookie));
      if (!session) {
        return Send(res, ErrorReply(401, "UNAUTHENTICATED", "not signed in"));
      }
      if (req.method != "GET" && req.method != "HEAD") {
        if (!SessionTable::CsrfMatches(*session,
                                       req.get_header_value("X-CSRF-Token"))) {
          return Send(res,
                      ErrorReply(403, "CSRF", "missing or wrong CSRF token"));
        }
        if (!req.body.empty() &&
            !absl::StartsWith(req.get_header_value("Content-Type"),
                              "application/json")) {
          return Send(res, ErrorReply(415, "UNSUPPORTED_MEDIA_TYPE",
                                      "send application/json"));
        }
      }
      Caller caller{session->subject, session->roles,
                    req.get_header_value("X-Request-Id"),
                    absl::StrCat(req.remote_addr, ":", req.remote_port)};
      Send(res, handler(caller, req));
    };
  };
  s.Delete("/api/v1/session",
           guarded([this](const Caller&, const httplib::Request& req) {
             sessions_.End(CookieValue(req, kCookie));
             return Reply{204, nullptr};
           }));
  s.Get("/api/v1/queue",
        guarded([this](const Caller& c, const httplib::Request& req) {
          return api_->Queue(c, QueryParams(req));
        }));
  s.Post("/api/v1/queue/next",
         guarded(WithBody(
             [this](const Caller& c, const httplib::Request&,
                    const json& body) { return api_->Next(c, body); })));
  s.Get(R"(/api/v1/cases/([^/]+))",
        guarded([this](const Caller& c, const httplib::Request& req) {
          return api_->OpenCase(c, req.matches[1]);
        }));
  s.Put(R"(/api/v1/cases/([^/]+)/claim)",
        guarded([this](const Caller& c, const httplib::Request& req) {
          return api_->RenewClaim(c, req.matches[1]);
        }));
  s.Delete(R"(/api/v1/cases/([^/]+)/claim)",
           guarded([this](const Caller& c, const httplib::Request& req) {
             return api_->ReleaseClaim(c, req.matches[1]);
           }));
  auto decide = [this, guarded](ConsoleApi::Decision d) {
    return guarded(
        WithBody([this, d](const Caller& c, const httplib::Request& req,
                           const json& body) {
          return api_->Decide(c, req.matches[1], d, body);
        }));
  };
  s.Post(R"(/api/v1/cases/([^/]+)/confirm)",
         decide(ConsoleApi::Decision::kConfirm));
  s.Post(R"(/api/v1/cases/([^/]+)/no-match)",
         decide(ConsoleApi::Decision::kNoMatch));
  s.Post(R"(/api/v1/cases/([^/]+)/reopen)",
         decide(ConsoleApi::Decision::kReopen));
  s.Get(R"(/api/v1/cases/([^/]+)/audit)",
        guarded([this](const Caller& c, const httplib::Request& req) {
          return api_->Audit(c, req.matches[1]);
        }));
  s.Get("/api/v1/roster/search",
        guarded([this](const Caller& c, const httplib::Request& req) {
          return api_->Search(c, QueryParams(req));
        }));
  s.Get("/api/v1/admin/overview",
        guarded([this](const Caller& c, const httplib::Request&) {
          return api_->Overview(c);
        }));
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    case absl::StatusCode::kUnimplemented:
      return 501;
    default:
      return 500;
  }
}

Reply ErrorReply(int http_status, std::string_view code,
                 std::string_view message, std::string_view field,
                 const json& extra) {
  json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  json body = {{"error", std::move(error)}};
  if (extra.is_object()) body.update(extra);
  return {http_status, std::move(body)};
}

Reply ErrorReply(const absl::Status& status, std::string_view field,
                 const json& extra) {
  const std::string code = absl::StatusCodeToString(status.code());
  const std::string message(status.message());
  return ErrorReply(HttpStatusOf(status.code()), code, message, field, extra);
}

}  // namespace kuromaru::console
