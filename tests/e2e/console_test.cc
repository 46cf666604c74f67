// The reviewer console's HTTP API on a real `kuromaru serve --console-listen`,
// called by a real HTTP client; every outcome of a decision is checked
// through the gRPC API (state, audit subject, feed entry).
#include <httplib.h>

#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/service_fixture.h"

namespace kuromaru::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The console's port, from the server's "console listening" log line.
int ConsolePort(ServerProcess& server) {
  for (int i = 0; i < 200; ++i) {
    const std::string logs = server.Logs();
    const size_t at = logs.find("\"msg\":\"console listening\"");
    if (at != std::string::npos) {
      const size_t p = logs.find("\"port\":", at);
      int port = 0;
      if (p != std::string::npos &&
          absl::SimpleAtoi(logs.substr(p + 7, logs.find_first_of(",}", p) -
                                                  p - 7),
                           &port)) {
        return port;
      }
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return 0;
}

// One signed-in browser: its cookie and CSRF token.
struct Browser {
  std::unique_ptr<httplib::Client> http;
  std::string cookie, csrf;

  httplib::Headers Headers(bool mutation) const {
    httplib::Headers h{{"Cookie", cookie}};
    if (mutation) h.emplace("X-CSRF-Token", csrf);
    return h;
  }
  httplib::Result Get(const std::string& path) const {
    return http->Get(path, Headers(false));
  }
  httplib::Result Post(const std::string& path, const json& body) const {
    return http->Post(path, Headers(true), body.dump(), "application/json");
  }
  httplib::Result Put(const std::string& path) const {
    return http->Put(path, Headers(true), "", "application/json");
  }
};

json Body(const httplib::Result& r) {
  return r ? json::parse(r->body, nullptr, false) : json();
}

class ConsoleTest : public ServiceTest {
 protected:
  void StartConsole() {
    ServeOptions options;
    options.extra_args = {"--console-listen", "127.0.0.1:0"};
    ASSERT_NO_FATAL_FAILURE(StartServer(options));
    port_ = ConsolePort(env_->server());
    ASSERT_NE(port_, 0) << env_->server().Logs();
  }

  std::unique_ptr<httplib::Client> Client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(20, 0);
    return c;
  }

  // Signs in with `token`; the browser is empty when sign-in fails.
  Browser SignIn(const std::string& token) const {
    Browser b{Client(), "", ""};
    httplib::Result r = b.http->Post("/api/v1/session",
                                     json{{"token", token}}.dump(),
                                     "application/json");
    if (!r || r->status != 200) return b;
    const std::string set = r->get_header_value("Set-Cookie");
    b.cookie = set.substr(0, set.find(';'));
    b.csrf = Body(r)["csrf_token"].get<std::string>();
    return b;
  }

  int port_ = 0;
};

TEST_F(ConsoleTest, ServesTheAppAndSignsReviewersInAndOut) {
  ASSERT_NO_FATAL_FAILURE(StartConsole());
  auto client = Client();
  httplib::Result page = client->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"),
              HasSubstr("script-src 'self'"));
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(client->Get("/api/v1/session")->status, 401);

  auto sign_in = [&](const std::string& token) {
    return client->Post("/api/v1/session", json{{"token", token}}.dump(),
                        "application/json");
  };
  EXPECT_EQ(sign_in("not-a-token")->status, 401);
  EXPECT_EQ(sign_in(tokens().claims)->status, 403);  // claims cannot sign in
  httplib::Result in = sign_in(tokens().reviewer);
  ASSERT_TRUE(in);
  ASSERT_EQ(in->status, 200);
  const std::string cookie = in->get_header_value("Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain HTTP on loopback
  const json session = Body(in);
  EXPECT_EQ(session["subject"], kReviewerSubject);
  EXPECT_EQ(session["roles"], json::array({"reviewer"}));

  Browser b = SignIn(tokens().reviewer);
  ASSERT_FALSE(b.cookie.empty());
  EXPECT_EQ(b.Get("/api/v1/session")->status, 200);
  httplib::Result out = b.http->Delete("/api/v1/session", b.Headers(true));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  EXPECT_EQ(b.Get("/api/v1/session")->status, 401);
}

TEST_F(ConsoleTest, RefusesWhatARequestMayNotDoAndGoesOn) {
  ASSERT_NO_FATAL_FAILURE(StartConsole());
  Browser b = SignIn(tokens().reviewer);
  ASSERT_FALSE(b.cookie.empty());
  const std::string confirm = "/api/v1/cases/R00000001/confirm";
  // No CSRF header.
  httplib::Result no_csrf = b.http->Post(confirm, b.Headers(false), "{}",
                                         "application/json");
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_EQ(Body(no_csrf)["error"]["code"], "CSRF");
  // Not JSON.
  httplib::Result text =
      b.http->Post(confirm, b.Headers(true), "x=1", "text/plain");
  EXPECT_EQ(text->status, 415);
  httplib::Result malformed =
      b.http->Post(confirm, b.Headers(true), "{\"expected_version\":",
                   "application/json");
  EXPECT_EQ(malformed->status, 400);
  // Too large.
  httplib::Result huge = b.http->Post(
      confirm, b.Headers(true), std::string(200 * 1024, ' '),
      "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  // Outside the role: the overview is an admin's.
  EXPECT_EQ(b.Get("/api/v1/admin/overview")->status, 403);
  Browser admin = SignIn(tokens().admin);
  httplib::Result overview = admin.Get("/api/v1/admin/overview");
  ASSERT_TRUE(overview);
  EXPECT_EQ(overview->status, 200);
  EXPECT_TRUE(Body(overview).contains("counts_by_state"));
  // An admin reads but does not decide.
  EXPECT_EQ(admin.Post(confirm, json::object())->status, 403);
  // And the server goes on.
  EXPECT_EQ(b.Get("/api/v1/session")->status, 200);
}

TEST_F(ConsoleTest, AReviewerWorksACaseAndTheGrpcApiSeesIt) {
  ASSERT_NO_FATAL_FAILURE(StartConsole());
  const v1::ReconcileResponse pending = PendingCase();
  const std::string id = pending.result().receipt_id();
  ASSERT_FALSE(id.empty());
  Browser sato = SignIn(tokens().reviewer);
  Browser tanaka = SignIn(tokens().reviewer2);
  ASSERT_FALSE(sato.cookie.empty());
  ASSERT_FALSE(tanaka.cookie.empty());

  httplib::Result queue = sato.Get("/api/v1/queue?state=PENDING_REVIEW");
  ASSERT_TRUE(queue);
  ASSERT_EQ(queue->status, 200);
  const json q = Body(queue);
  EXPECT_GT(q["counts"]["total"].get<int64_t>(), 0);
  EXPECT_FALSE(q["cases"].empty());

  // Sato opens the case and holds it; Tanaka sees it taken.
  httplib::Result opened = sato.Get("/api/v1/cases/" + id);
  ASSERT_TRUE(opened);
  ASSERT_EQ(opened->status, 200);
  json view = Body(opened);
  EXPECT_EQ(view["claim"]["subject"], kReviewerSubject);
  EXPECT_EQ(view["claim"]["mine"], true);
  ASSERT_FALSE(view["candidates"].empty());
  EXPECT_FALSE(view["candidates"][0]["enrollments"].empty());
  json seen = Body(tanaka.Get("/api/v1/cases/" + id));
  EXPECT_EQ(seen["claim"]["subject"], kReviewerSubject);
  EXPECT_EQ(seen["claim"]["mine"], false);
  const json key = {
      {"insurer_number", pending.result().candidates(0).insurer_number()},
      {"symbol", pending.result().candidates(0).symbol()},
      {"number", pending.result().candidates(0).number()},
      {"branch", pending.result().candidates(0).branch()},
      {"qualified_from", pending.result().candidates(0).qualified_from()}};
  httplib::Result taken = tanaka.Post(
      "/api/v1/cases/" + id + "/confirm",
      {{"expected_version", "1"}, {"idempotency_key", "t-1"}, {"candidate", key}});
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->status, 409);
  EXPECT_EQ(Body(taken)["error"]["code"], "CLAIMED");
  EXPECT_EQ(tanaka.Put("/api/v1/cases/" + id + "/claim")->status, 409);

  // Sato confirms, with a reason.
  httplib::Result confirmed = sato.Post(
      "/api/v1/cases/" + id + "/confirm",
      {{"expected_version", "1"}, {"idempotency_key", "s-1"},
       {"candidate", key}, {"reason", "same card"}});
  ASSERT_TRUE(confirmed);
  ASSERT_EQ(confirmed->status, 200) << confirmed->body;
  EXPECT_EQ(Body(confirmed)["case"]["state"], "CASE_STATE_CONFIRMED");

  // Through gRPC: the state, the audit subject, the feed entry.
  v1::Case stored;
  ASSERT_TRUE(GetCase(id, &stored).ok());
  EXPECT_EQ(stored.state(), v1::CASE_STATE_CONFIRMED);
  const v1::CaseEvent* decided = nullptr;
  for (const v1::CaseEvent& e : stored.history()) {
    if (e.action() == "CONFIRMED") decided = &e;
  }
  ASSERT_NE(decided, nullptr);
  EXPECT_EQ(decided->actor(), kReviewerSubject);
  EXPECT_EQ(decided->comment(), "same card");
  auto audit = ExportAudit(*review_, id);
  ASSERT_TRUE(audit.ok()) << audit.status();
  bool audited = false;
  for (const v1::AuditRecord& r : *audit) {
    audited |= r.action() == "CONFIRMED" && r.actor() == kReviewerSubject;
  }
  EXPECT_TRUE(audited);
  v1::ListChangesRequest feed_request;
  feed_request.set_page_size(1000);
  v1::ListChangesResponse feed;
  auto context = ContextWith(tokens().claims);
  ASSERT_TRUE(review_->ListChanges(context.get(), feed_request, &feed).ok());
  bool in_feed = false;
  for (const v1::Change& c : feed.changes()) {
    in_feed |= c.receipt_id() == id && c.actor_kind() == v1::ACTOR_KIND_REVIEWER;
  }
  EXPECT_TRUE(in_feed);

  // A decision on the version that was: a conflict, showing what changed.
  httplib::Result stale = sato.Post(
      "/api/v1/cases/" + id + "/no-match",
      {{"expected_version", "1"}, {"idempotency_key", "s-2"}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  const json conflict = Body(stale);
  EXPECT_EQ(conflict["error"]["code"], "ABORTED");
  EXPECT_EQ(conflict["current"]["version"], "2");
  EXPECT_EQ(conflict["current"]["last_event"]["actor"], kReviewerSubject);
  // Undo: a reopen, audited.
  httplib::Result undone = sato.Post(
      "/api/v1/cases/" + id + "/reopen",
      {{"expected_version", "2"}, {"idempotency_key", "s-3"}});
  ASSERT_TRUE(undone);
  EXPECT_EQ(undone->status, 200) << undone->body;
  ASSERT_TRUE(GetCase(id, &stored).ok());
  EXPECT_EQ(stored.state(), v1::CASE_STATE_PENDING_REVIEW);
}

TEST_F(ConsoleTest, SearchTheRosterAndConfirmWhatItFound) {
  ASSERT_NO_FATAL_FAILURE(StartConsole());
  const v1::ReconcileResponse pending = PendingCase();
  const std::string id = pending.result().receipt_id();
  const v1::Candidate& top = pending.result().candidates(0);
  Browser sato = SignIn(tokens().reviewer);
  ASSERT_FALSE(sato.cookie.empty());
  EXPECT_EQ(sato.Get("/api/v1/roster/search?birth_date=19800101")->status,
            400);
  // The roster row may keep no kana (an insurer that writes kanji only).
  httplib::Params params{{"birth_date", top.birth_date()}};
  if (top.name_kana().empty()) {
    params.emplace("kanji", top.name_kanji());
  } else {
    params.emplace("kana", top.name_kana());
  }
  httplib::Result found = sato.http->Get("/api/v1/roster/search", params,
                                         sato.Headers(false));
  ASSERT_TRUE(found);
  ASSERT_EQ(found->status, 200) << found->body;
  const json results = Body(found)["results"];
  ASSERT_FALSE(results.empty());
  json key = results[0];
  json pick = {{"insurer_number", key.value("insurer_number", "")},
               {"symbol", key.value("symbol", "")},
               {"number", key.value("number", "")},
               {"branch", key.value("branch", "")},
               {"qualified_from", key.value("qualified_from", "")}};
  // An enrollment the roster does not hold is refused.
  json missing = pick;
  missing["number"] = "000000000";
  httplib::Result refused = sato.Post(
      "/api/v1/cases/" + id + "/confirm",
      {{"expected_version", "1"}, {"idempotency_key", "x-1"},
       {"candidate", missing}, {"from_search", true}});
  EXPECT_EQ(refused->status, 404);
  httplib::Result confirmed = sato.Post(
      "/api/v1/cases/" + id + "/confirm",
      {{"expected_version", "1"}, {"idempotency_key", "x-2"},
       {"candidate", pick}, {"from_search", true}});
  ASSERT_TRUE(confirmed);
  ASSERT_EQ(confirmed->status, 200) << confirmed->body;
  v1::Case stored;
  ASSERT_TRUE(GetCase(id, &stored).ok());
  EXPECT_EQ(stored.resolved().number(), pick["number"].get<std::string>());
  // The names searched for are not in the server's logs.
  const std::string logs = env_->server().Logs();
  for (const auto& [name, value] : params) {
    EXPECT_THAT(logs, Not(HasSubstr(value))) << name;
  }
}

TEST_F(ConsoleTest, NextCaseTakesTheFirstUnclaimedOne) {
  ASSERT_NO_FATAL_FAILURE(StartConsole());
  PendingCase();
  Browser sato = SignIn(tokens().reviewer);
  Browser tanaka = SignIn(tokens().reviewer2);
  httplib::Result first = sato.Post("/api/v1/queue/next", json::object());
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const std::string a = Body(first)["receipt_id"];
  httplib::Result second = tanaka.Post("/api/v1/queue/next", json::object());
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 200);
  EXPECT_NE(Body(second)["receipt_id"], a);  // not handed the same case
  // Skipping it, Sato gets another.
  httplib::Result skipped =
      sato.Post("/api/v1/queue/next", {{"skip", json::array({a})}});
  ASSERT_TRUE(skipped);
  EXPECT_NE(Body(skipped)["receipt_id"], a);
}

}  // namespace
}  // namespace kuromaru::testing
