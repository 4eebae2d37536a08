// The cross-subtree test (issue 4): users of two sibling subtrees, 河北省 and 天津市, each walk EVERY
// route the server has — the list comes from the server's own router (Api::Routes()), so a route added
// without a probe here fails the test — with the other side's ids (orgs, problems, opinions, users,
// grants, tokens, and the workflow's tasks, evidence, mechanisms, meetings and findings) in the path,
// the query and the body. Nothing of the other side may be read or changed: the answers are 404 (or another 4xx where the actor lacks the role anyway), never 2xx,
// and no answer contains any of the other side's names or titles. Afterwards the other side's data is
// unchanged. Each probe is also sent with the actor's own ids (a control: the request is well-formed
// and would reach real data), and every non-public route answers 401 without credentials.
// Run for clerks and for subtree admins (the strongest role inside a subtree), over bearer tokens and
// over session cookies with their CSRF token.
#include <map>
#include <set>

#include "api_fixture.hpp"
#include "http/api.hpp"
#include "store/store.hpp"

namespace rectify::testing {
namespace {

// One side: its orgs, records, users and credentials. Placeholders in probes: {org}, {district},
// {code}, {orgname}, {problem}, {problem2}, {opinion}, {user}, {username}, {helper}, {grant}, {token},
// and of the workflow (issue 3) {task}, {evidence}, {mechanism} (linked to {problem}), {meeting} and
// {finding} (of that meeting), and of the linkage (issue 5) {escalation} (pending, of {problem2}) and
// {sub} (an org below {district}), of notifications (issue 8) {notification} and {webhook}, and of
// campaigns (issue 5) {campaign} (run by the province) and its special item {item}, of study and
// research (issue 12) {study} and {study2} (sessions of the district) and {visit} (a visit of the district
// with one opinion heard), and of issue 12 {selfitem} (a leadership-group self-inspection item of
// {district}); "{own.x}"
// always names the acting side's x.
struct Side {
    std::string key;  // "hebei" or "tianjin"
    std::map<std::string, std::string> values;
    std::string token;   // bearer secret of the side's user
    std::string password;
    BrowserSession session;
    std::vector<std::string> markers;  // strings that only this side's data contains

    std::int64_t Id(const std::string& k) const { return std::stoll(values.at(k)); }
};

enum class Expect {
    kNotFound,  // 404
    kDenied,    // any 4xx (never 2xx): the actor lacks the role anyway, or the request is refused
    kNoLeak,    // any status but 5xx; the body shows nothing of the other side
    kOwnSession,  // acts on the caller's own session only (logout): may succeed; shows nothing else
    kOwnInbox,    // acts on the caller's own inbox only (read all): may succeed; shows nothing else
    // The public portal (issue 9): no login, the same for everyone; may succeed (filing changes nothing
    // of either side: an address-only filing goes to the root). Shows what is public by design — org and
    // place names, closed problems and mechanisms on the notice board — and none of the other markers.
    kPublic,
};

struct Probe {
    std::string target;
    std::string body;  // "" for none
    Expect expect;
};

// Every route of the server with its probes. Keyed by "METHOD pattern" as Api::Routes() lists them.
const std::map<std::string, std::vector<Probe>>& ProbeTable() {
    static const std::map<std::string, std::vector<Probe>> table = {
        {"GET /healthz", {{"/healthz", "", Expect::kNoLeak}}},
        {"POST /api/v1/session",
         {{"/api/v1/session", R"({"name":"{username}","password":"not the password"})", Expect::kDenied}}},
        {"GET /api/v1/session", {{"/api/v1/session", "", Expect::kNoLeak}}},
        {"DELETE /api/v1/session", {{"/api/v1/session", "", Expect::kOwnSession}}},
        {"POST /api/v1/session/password",
         {{"/api/v1/session/password", R"({"old_password":"not the password","new_password":"whatever 12345"})",
           Expect::kDenied}}},
        {"GET /api/v1/users", {{"/api/v1/users?org_id={org}", "", Expect::kNotFound}, {"/api/v1/users", "", Expect::kNoLeak}}},
        {"POST /api/v1/users",
         {{"/api/v1/users", R"({"name":"intruder.a","org_id":{org},"password":"intruder password"})", Expect::kNotFound},
          {"/api/v1/users",
           R"({"name":"intruder.b","org_id":{own.org},"password":"intruder password","grants":[{"role":"clerk","org_id":{org}}]})",
           Expect::kDenied}}},
        {"GET /api/v1/users/{id}", {{"/api/v1/users/{user}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/users/{id}", {{"/api/v1/users/{helper}", R"({"disabled":true})", Expect::kNotFound}}},
        {"POST /api/v1/users/{id}/password", {{"/api/v1/users/{helper}/password", "{}", Expect::kNotFound}}},
        {"POST /api/v1/users/{id}/grants",
         {{"/api/v1/users/{helper}/grants", R"({"role":"clerk","org_id":{own.org}})", Expect::kNotFound},
          {"/api/v1/users/{own.helper}/grants", R"({"role":"leader","org_id":{org}})", Expect::kDenied}}},
        {"DELETE /api/v1/users/{id}/grants/{grant_id}",
         {{"/api/v1/users/{helper}/grants/{grant}", "", Expect::kNotFound},
          {"/api/v1/users/{own.helper}/grants/{grant}", "", Expect::kDenied}}},
        {"GET /api/v1/tokens", {{"/api/v1/tokens?user_id={user}", "", Expect::kNotFound}, {"/api/v1/tokens", "", Expect::kNoLeak}}},
        {"POST /api/v1/tokens",
         {{"/api/v1/tokens", R"({"name":"probe","grants":[{"role":"clerk","org_id":{org}}]})", Expect::kDenied}}},
        {"DELETE /api/v1/tokens/{id}", {{"/api/v1/tokens/{token}", "", Expect::kNotFound}}},
        {"GET /api/v1/audit/events",
         {{"/api/v1/audit/events?org_id={org}", "", Expect::kNotFound}, {"/api/v1/audit/events", "", Expect::kNoLeak}}},
        {"GET /api/v1/orgs",
         {{"/api/v1/orgs?division_code={code}", "", Expect::kNoLeak}, {"/api/v1/orgs?q={orgname}", "", Expect::kNoLeak}}},
        {"POST /api/v1/orgs", {{"/api/v1/orgs", R"({"parent_id":{org},"name":"入侵区","level":"county"})", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}", {{"/api/v1/orgs/{org}", "", Expect::kNotFound}, {"/api/v1/orgs/{district}", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/children", {{"/api/v1/orgs/{org}/children", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/ancestors", {{"/api/v1/orgs/{district}/ancestors", "", Expect::kNotFound}}},
        {"POST /api/v1/orgs/{id}/move",
         {{"/api/v1/orgs/{district}/move", R"({"parent_id":{own.org}})", Expect::kNotFound},
          {"/api/v1/orgs/{own.district}/move", R"({"parent_id":{org}})", Expect::kDenied}}},
        {"GET /api/v1/orgs/{id}/stats", {{"/api/v1/orgs/{org}/stats", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/stats/children", {{"/api/v1/orgs/{org}/stats/children", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/hot-issues", {{"/api/v1/orgs/{org}/hot-issues", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/events", {{"/api/v1/orgs/{district}/events", "", Expect::kNotFound}}},
        {"GET /api/v1/levels", {{"/api/v1/levels", "", Expect::kNoLeak}}},
        {"GET /api/v1/categories", {{"/api/v1/categories", "", Expect::kNoLeak}}},
        {"GET /api/v1/problems",
         {{"/api/v1/problems?org_id={org}", "", Expect::kNotFound}, {"/api/v1/problems", "", Expect::kNoLeak}}},
        // ---- the ledger (issue 6): CSV, so the body can be searched for the other side's records ----
        {"GET /api/v1/ledger",
         {{"/api/v1/ledger?list=problems&format=csv&org_id={org}", "", Expect::kNotFound},
          {"/api/v1/ledger?list=problems&format=csv", "", Expect::kNoLeak},
          {"/api/v1/ledger?list=tasks&format=csv", "", Expect::kNoLeak},
          {"/api/v1/ledger?list=responsibilities&format=csv", "", Expect::kNoLeak}}},
        // A commit naming the other side's problem: every row rejected (problem ... does not exist), 400.
        {"POST /api/v1/ledger/import",
         {{"/api/v1/ledger/import?dry_run=false", R"({"rows":[["问题编号","序号"],["{problem}","1"]]})",
           Expect::kDenied}}},
        {"POST /api/v1/problems",
         {{"/api/v1/problems", R"({"title":"入侵问题","owner_org_id":{district}})", Expect::kNotFound},
          {"/api/v1/problems", R"({"title":"入侵问题","owner_org_id":{own.district},"opinion_ids":[{opinion}]})",
           Expect::kNotFound}}},
        {"GET /api/v1/problems/{id}", {{"/api/v1/problems/{problem}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/problems/{id}", {{"/api/v1/problems/{problem}", R"({"version":1,"title":"改掉"})", Expect::kNotFound}}},
        {"GET /api/v1/problems/{id}/events", {{"/api/v1/problems/{problem}/events", "", Expect::kNotFound}}},
        {"GET /api/v1/opinions",
         {{"/api/v1/opinions?org_id={org}", "", Expect::kNotFound}, {"/api/v1/opinions", "", Expect::kNoLeak}}},
        {"POST /api/v1/opinions",
         {{"/api/v1/opinions", R"({"channel":"web","title":"入侵意见","org_id":{district}})", Expect::kNotFound}}},
        {"GET /api/v1/opinions/{id}", {{"/api/v1/opinions/{opinion}", "", Expect::kNotFound}}},
        {"GET /api/v1/opinions/{id}/events", {{"/api/v1/opinions/{opinion}/events", "", Expect::kNotFound}}},
        {"GET /api/v1/opinions/{id}/suggestions", {{"/api/v1/opinions/{opinion}/suggestions", "", Expect::kNotFound}}},
        // The photo of an opinion from the public (issue 9): 404 outside the scope; the side's own opinion has
        // no photo, so its control is a 404 too (public_api_test checks the photo across subtrees).
        {"GET /api/v1/opinions/{id}/photo", {{"/api/v1/opinions/{opinion}/photo", "", Expect::kDenied}}},

        // ---- workflow (issue 3) ----
        {"GET /api/openapi.json", {{"/api/openapi.json", "", Expect::kNoLeak}}},
        {"GET /api/v1/problems/{id}/tasks", {{"/api/v1/problems/{problem}/tasks", "", Expect::kNotFound}}},
        {"POST /api/v1/problems/{id}/tasks",
         {{"/api/v1/problems/{problem}/tasks",
           R"({"org_id":{district},"title":"入侵任务","responsible_person":"甲","type":"time_bound","due_at":"2030-12-31"})",
           Expect::kNotFound},
          {"/api/v1/problems/{own.problem}/tasks",
           R"({"org_id":{district},"title":"入侵任务","responsible_person":"甲","type":"time_bound","due_at":"2030-12-31"})",
           Expect::kDenied}}},
        {"GET /api/v1/problems/{id}/timeline", {{"/api/v1/problems/{problem}/timeline", "", Expect::kNotFound}}},
        {"POST /api/v1/problems/{id}/close", {{"/api/v1/problems/{problem}/close", "{}", Expect::kNotFound}}},
        {"POST /api/v1/problems/{id}/reopen",
         {{"/api/v1/problems/{problem}/reopen", R"({"cause":"supervisor_decision","reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/problems/{id}/invalid",
         {{"/api/v1/problems/{problem}/invalid", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/problems/{id}/merge",
         {{"/api/v1/problems/{problem}/merge", R"({"into_problem_id":{own.problem2},"reason":"入侵"})", Expect::kNotFound},
          {"/api/v1/problems/{own.problem2}/merge", R"({"into_problem_id":{problem},"reason":"入侵"})",
           Expect::kDenied}}},
        {"GET /api/v1/tasks/{id}", {{"/api/v1/tasks/{task}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/tasks/{id}", {{"/api/v1/tasks/{task}", R"({"version":1,"title":"改掉"})", Expect::kNotFound}}},
        {"GET /api/v1/tasks/{id}/events", {{"/api/v1/tasks/{task}/events", "", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/start", {{"/api/v1/tasks/{task}/start", "{}", Expect::kNotFound}}},
        {"GET /api/v1/tasks/{id}/reports", {{"/api/v1/tasks/{task}/reports", "", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/reports",
         {{"/api/v1/tasks/{task}/reports", R"({"text":"入侵进展","percent":10})", Expect::kNotFound},
          {"/api/v1/tasks/{own.task}/reports", R"({"text":"入侵进展","percent":10,"evidence_ids":[{evidence}]})",
           Expect::kDenied}}},
        {"GET /api/v1/tasks/{id}/evidence", {{"/api/v1/tasks/{task}/evidence", "", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/evidence",
         {{"/api/v1/tasks/{task}/evidence?filename=probe.txt", "入侵证据", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/submit", {{"/api/v1/tasks/{task}/submit", "{}", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/accept", {{"/api/v1/tasks/{task}/accept", "{}", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/return", {{"/api/v1/tasks/{task}/return", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/withdrawal-request",
         {{"/api/v1/tasks/{task}/withdrawal-request", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/withdrawal-decline",
         {{"/api/v1/tasks/{task}/withdrawal-decline", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/withdraw", {{"/api/v1/tasks/{task}/withdraw", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"GET /api/v1/evidence/{id}", {{"/api/v1/evidence/{evidence}", "", Expect::kNotFound}}},
        {"GET /api/v1/evidence/{id}/content", {{"/api/v1/evidence/{evidence}/content", "", Expect::kNotFound}}},
        {"POST /api/v1/opinions/{id}/accept",
         {{"/api/v1/opinions/{opinion}/accept", "{}", Expect::kNotFound},
          {"/api/v1/opinions/{own.opinion}/accept", R"({"problem_id":{problem}})", Expect::kDenied}}},
        {"POST /api/v1/opinions/{id}/decline",
         {{"/api/v1/opinions/{opinion}/decline", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/opinions/{id}/duplicate",
         {{"/api/v1/opinions/{opinion}/duplicate", R"({"of_problem_id":{own.problem2}})", Expect::kNotFound}}},
        {"POST /api/v1/opinions/{id}/reply",
         {{"/api/v1/opinions/{opinion}/reply", R"({"text":"入侵答复"})", Expect::kNotFound},
          {"/api/v1/opinions/{own.opinion}/reply", R"({"text":"入侵答复","reply_org_id":{district}})",
           Expect::kDenied}}},
        {"POST /api/v1/opinions/{id}/rating",
         {{"/api/v1/opinions/{opinion}/rating", R"({"satisfaction":"dissatisfied"})", Expect::kNotFound}}},
        // 转办 (issue 5): neither the other side's opinion nor an org of the other side as the target.
        {"POST /api/v1/opinions/{id}/transfer",
         {{"/api/v1/opinions/{opinion}/transfer", R"({"to_org_id":{own.sub},"reason":"入侵转办"})", Expect::kNotFound},
          {"/api/v1/opinions/{own.opinion}/transfer", R"({"to_org_id":{district},"reason":"入侵转办"})",
           Expect::kNotFound}}},
        {"GET /api/v1/opinions/{id}/routing", {{"/api/v1/opinions/{opinion}/routing", "", Expect::kNotFound}}},
        // Routing rules (issue 5): the root admin's alone; subtree admins and clerks are refused.
        {"GET /api/v1/routing-rules", {{"/api/v1/routing-rules", "", Expect::kDenied}}},
        {"POST /api/v1/routing-rules",
         {{"/api/v1/routing-rules", R"({"note":"入侵","rules":[{"org_id":{district}}]})", Expect::kDenied}}},
        {"GET /api/v1/mechanisms",
         {{"/api/v1/mechanisms?org_id={org}", "", Expect::kNotFound},
          {"/api/v1/mechanisms?problem_id={problem}", "", Expect::kNoLeak},
          {"/api/v1/mechanisms", "", Expect::kNoLeak}}},
        {"POST /api/v1/mechanisms",
         {{"/api/v1/mechanisms", R"({"org_id":{district},"title":"入侵机制"})", Expect::kNotFound},
          {"/api/v1/mechanisms", R"({"org_id":{own.district},"title":"入侵机制","problem_ids":[{problem}]})",
           Expect::kDenied}}},
        {"GET /api/v1/mechanisms/{id}", {{"/api/v1/mechanisms/{mechanism}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/mechanisms/{id}",
         {{"/api/v1/mechanisms/{mechanism}", R"({"version":1,"title":"改掉"})", Expect::kNotFound}}},
        {"POST /api/v1/mechanisms/{id}/problems",
         {{"/api/v1/mechanisms/{mechanism}/problems", R"({"problem_id":{own.problem}})", Expect::kNotFound},
          {"/api/v1/mechanisms/{own.mechanism}/problems", R"({"problem_id":{problem2}})", Expect::kDenied}}},
        {"DELETE /api/v1/mechanisms/{id}/problems/{problem_id}",
         {{"/api/v1/mechanisms/{mechanism}/problems/{problem}", "", Expect::kNotFound},
          {"/api/v1/mechanisms/{own.mechanism}/problems/{problem}", "", Expect::kDenied}}},
        {"GET /api/v1/meetings",
         {{"/api/v1/meetings?org_id={org}", "", Expect::kNotFound}, {"/api/v1/meetings", "", Expect::kNoLeak}}},
        {"POST /api/v1/meetings",
         {{"/api/v1/meetings",
           R"({"org_id":{district},"kind":"other","title":"入侵会议","held_at":"2024-03-01T09:00:00+08:00"})",
           Expect::kNotFound}}},
        {"GET /api/v1/meetings/{id}", {{"/api/v1/meetings/{meeting}", "", Expect::kNotFound}}},
        {"POST /api/v1/meetings/{id}/findings",
         {{"/api/v1/meetings/{meeting}/findings", R"({"text":"入侵发现"})", Expect::kNotFound}}},
        {"POST /api/v1/meetings/{id}/findings/{finding_id}/problem",
         {{"/api/v1/meetings/{meeting}/findings/{finding}/problem", "{}", Expect::kNotFound},
          {"/api/v1/meetings/{own.meeting}/findings/{finding}/problem", "{}", Expect::kDenied}}},
        // ---- linkage (issue 5): {escalation} is a pending escalation of {problem2} to {org}; {sub} an org
        // below {district} ----
        {"GET /api/v1/problems/{id}/escalations",
         {{"/api/v1/problems/{problem}/escalations", "", Expect::kNotFound},
          {"/api/v1/problems/{problem2}/escalations", "", Expect::kNotFound}}},
        {"POST /api/v1/problems/{id}/escalations",
         {{"/api/v1/problems/{problem}/escalations", R"({"to_org_id":{own.org},"reason":"入侵上报"})", Expect::kNotFound},
          {"/api/v1/problems/{own.problem}/escalations", R"({"to_org_id":{org},"reason":"入侵上报"})",
           Expect::kDenied}}},
        {"GET /api/v1/problems/{id}/co-owners", {{"/api/v1/problems/{problem}/co-owners", "", Expect::kNotFound}}},
        {"POST /api/v1/problems/{id}/co-owners",
         {{"/api/v1/problems/{problem}/co-owners",
           R"({"org_id":{own.sub},"task":{"title":"入侵共答","responsible_person":"x","type":"immediate","due_at":"2030-12-31"}})",
           Expect::kNotFound},
          {"/api/v1/problems/{own.problem}/co-owners",
           R"({"org_id":{sub},"task":{"title":"入侵共答","responsible_person":"x","type":"immediate","due_at":"2030-12-31"}})",
           Expect::kNotFound}}},
        {"GET /api/v1/escalations/{id}", {{"/api/v1/escalations/{escalation}", "", Expect::kNotFound}}},
        {"POST /api/v1/escalations/{id}/accept", {{"/api/v1/escalations/{escalation}/accept", "{}", Expect::kNotFound}}},
        {"POST /api/v1/escalations/{id}/decline",
         {{"/api/v1/escalations/{escalation}/decline", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/escalations/{id}/withdraw",
         {{"/api/v1/escalations/{escalation}/withdraw", R"({"reason":"入侵"})", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/cascade",
         {{"/api/v1/tasks/{task}/cascade", R"({"targets":{"scope":"descendants"},"responsible_person":"入侵"})",
           Expect::kNotFound},
          {"/api/v1/tasks/{own.task}/cascade",
           R"({"targets":{"scope":"orgs","org_ids":[{sub}]},"responsible_person":"入侵"})", Expect::kDenied}}},
        {"GET /api/v1/tasks/{id}/children", {{"/api/v1/tasks/{task}/children", "", Expect::kNotFound}}},
        // ---- supervision (issue 8): {bulletin} is a bulletin published over {org} ----
        {"GET /api/v1/tasks/{id}/supervision", {{"/api/v1/tasks/{task}/supervision", "", Expect::kNotFound}}},
        {"POST /api/v1/tasks/{id}/supervision",
         {{"/api/v1/tasks/{task}/supervision", R"({"kind":"urge","reason":"入侵催办"})", Expect::kNotFound}}},
        {"GET /api/v1/queues/{kind}",
         {{"/api/v1/queues/overdue?org_id={org}", "", Expect::kNotFound},
          {"/api/v1/queues/due_soon", "", Expect::kNoLeak},
          {"/api/v1/queues/escalations", "", Expect::kNoLeak},
          {"/api/v1/queues/opinions_overdue", "", Expect::kNoLeak}}},
        {"GET /api/v1/orgs/{id}/opinion-rates", {{"/api/v1/orgs/{org}/opinion-rates", "", Expect::kNotFound}}},
        {"POST /api/v1/bulletins",
         {{"/api/v1/bulletins",
           R"({"org_id":{org},"title":"入侵通报","period_from":"2024-01-01","period_to":"2031-01-01"})",
           Expect::kNotFound}}},
        {"GET /api/v1/bulletins",
         {{"/api/v1/bulletins?org_id={org}", "", Expect::kNotFound}, {"/api/v1/bulletins", "", Expect::kNoLeak}}},
        {"GET /api/v1/bulletins/{id}", {{"/api/v1/bulletins/{bulletin}", "", Expect::kNotFound}}},
        {"GET /api/v1/bulletins/{id}/export",
         {{"/api/v1/bulletins/{bulletin}/export?format=html", "", Expect::kNotFound},
          {"/api/v1/bulletins/{bulletin}/export", "", Expect::kNotFound}}},
        // {team} is a supervision team formed by {org}, {assignment} its assignment to {district}.
        {"POST /api/v1/teams",
         {{"/api/v1/teams", R"({"org_id":{org},"name":"入侵小组"})", Expect::kNotFound}}},
        {"GET /api/v1/teams", {{"/api/v1/teams?org_id={org}", "", Expect::kNotFound}, {"/api/v1/teams", "", Expect::kNoLeak}}},
        {"GET /api/v1/teams/{id}", {{"/api/v1/teams/{team}", "", Expect::kNotFound}}},
        {"POST /api/v1/teams/{id}/members",
         {{"/api/v1/teams/{team}/members", R"({"user_id":{own.user}})", Expect::kNotFound}}},
        {"DELETE /api/v1/teams/{id}/members/{user_id}",
         {{"/api/v1/teams/{team}/members/{own.user}", "", Expect::kNotFound}}},
        {"POST /api/v1/teams/{id}/assignments",
         {{"/api/v1/teams/{team}/assignments", R"({"org_id":{own.district}})", Expect::kNotFound}}},
        {"POST /api/v1/teams/{id}/assignments/{assignment_id}/end",
         {{"/api/v1/teams/{team}/assignments/{assignment}/end", "{}", Expect::kNotFound}}},
        // ---- notifications and webhooks (issue 8): {notification} is a notice to the side's user's org,
        // {webhook} a webhook of {district}. The inbox is the caller's own: it shows nothing of the other
        // side whatever is asked. ----
        {"GET /api/v1/notifications",
         {{"/api/v1/notifications", "", Expect::kNoLeak},
          {"/api/v1/notifications?unread=true&limit=500", "", Expect::kNoLeak}}},
        {"GET /api/v1/notifications/unread_count", {{"/api/v1/notifications/unread_count", "", Expect::kNoLeak}}},
        {"POST /api/v1/notifications/{id}/read",
         {{"/api/v1/notifications/{notification}/read", "", Expect::kNotFound}}},
        {"POST /api/v1/notifications/read_all", {{"/api/v1/notifications/read_all", "", Expect::kOwnInbox}}},
        {"POST /api/v1/webhooks",
         {{"/api/v1/webhooks", R"({"org_id":{district},"url":"http://127.0.0.1:9/intruder"})", Expect::kNotFound}}},
        {"GET /api/v1/webhooks",
         {{"/api/v1/webhooks?org_id={district}", "", Expect::kNotFound}, {"/api/v1/webhooks", "", Expect::kNoLeak}}},
        {"GET /api/v1/webhooks/{id}", {{"/api/v1/webhooks/{webhook}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/webhooks/{id}",
         {{"/api/v1/webhooks/{webhook}", R"({"url":"http://127.0.0.1:9/intruder","active":false})",
           Expect::kNotFound}}},
        {"GET /api/v1/webhooks/{id}/deliveries", {{"/api/v1/webhooks/{webhook}/deliveries", "", Expect::kNotFound}}},
        // ---- campaigns and special items (issue 5): {campaign} is run by the other side's province and has
        // the item {item}; neither side sees the other's ----
        {"GET /api/v1/campaigns",
         {{"/api/v1/campaigns?org_id={district}", "", Expect::kNotFound}, {"/api/v1/campaigns", "", Expect::kNoLeak}}},
        {"POST /api/v1/campaigns",
         {{"/api/v1/campaigns",
           R"({"code":"intruder","name":"入侵专项行动","owner_org_id":{org},"start_date":"2019-06-01","end_date":"2019-11-30"})",
           Expect::kNotFound}}},
        {"GET /api/v1/campaigns/{id}", {{"/api/v1/campaigns/{campaign}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/campaigns/{id}",
         {{"/api/v1/campaigns/{campaign}", R"({"version":1,"name":"改掉"})", Expect::kNotFound}}},
        {"POST /api/v1/campaigns/{id}/special-items",
         {{"/api/v1/campaigns/{campaign}/special-items", R"({"code":"intruder","title":"入侵专项"})", Expect::kNotFound}}},
        {"GET /api/v1/special-items/{id}", {{"/api/v1/special-items/{item}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/special-items/{id}",
         {{"/api/v1/special-items/{item}", R"({"version":1,"title":"改掉"})", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/stats/special-items",
         {{"/api/v1/orgs/{org}/stats/special-items?campaign_id={own.campaign}", "", Expect::kNotFound},
          {"/api/v1/orgs/{own.org}/stats/special-items?campaign_id={campaign}", "", Expect::kNotFound}}},
        // ---- study and research (issue 12): the district's sessions {study} (read, changed) and {study2}
        // (deleted by the control), its visit {visit} ----
        {"GET /api/v1/orgs/{id}/study-sessions", {{"/api/v1/orgs/{district}/study-sessions", "", Expect::kNotFound}}},
        {"POST /api/v1/orgs/{id}/study-sessions",
         {{"/api/v1/orgs/{district}/study-sessions",
           R"({"held_on":"2026-03-01","topic":"入侵学习","form":"self_study","hours":1,"expected":1,"present":1})",
           Expect::kNotFound}}},
        {"GET /api/v1/study-sessions/{id}", {{"/api/v1/study-sessions/{study}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/study-sessions/{id}",
         {{"/api/v1/study-sessions/{study}", R"({"version":1,"topic":"改掉"})", Expect::kNotFound}}},
        {"DELETE /api/v1/study-sessions/{id}", {{"/api/v1/study-sessions/{study2}", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/research-visits", {{"/api/v1/orgs/{district}/research-visits", "", Expect::kNotFound}}},
        {"POST /api/v1/orgs/{id}/research-visits",
         {{"/api/v1/orgs/{district}/research-visits", R"({"visitors":["入侵者"],"place":"某地","visited_on":"2026-03-01"})",
           Expect::kNotFound},
          {"/api/v1/orgs/{own.district}/research-visits",
           R"({"visitors":["入侵者"],"visited_org_id":{district},"visited_on":"2026-03-01"})", Expect::kNotFound},
          {"/api/v1/orgs/{own.district}/research-visits",
           R"({"visitors":["入侵者"],"place":"某地","visited_on":"2026-03-01","opinions":[{"text":"入侵意见","org_id":{district}}]})",
           Expect::kNotFound}}},
        {"GET /api/v1/research-visits/{id}", {{"/api/v1/research-visits/{visit}", "", Expect::kNotFound}}},
        {"POST /api/v1/research-visits/{id}/opinions",
         {{"/api/v1/research-visits/{visit}/opinions", R"({"opinions":[{"text":"入侵意见"}]})", Expect::kNotFound},
          {"/api/v1/research-visits/{own.visit}/opinions", R"({"opinions":[{"text":"入侵意见","org_id":{district}}]})",
           Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/stats/study", {{"/api/v1/orgs/{org}/stats/study", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/study/inactive", {{"/api/v1/orgs/{org}/study/inactive", "", Expect::kNotFound}}},
        // ---- root-cause analysis and self-inspection lists (issue 12): {selfitem} is a leadership-group item
        // of the other side's {district}; the cause categories are shared and changed by the root admin only ----
        {"GET /api/v1/cause-categories", {{"/api/v1/cause-categories", "", Expect::kNoLeak}}},
        {"POST /api/v1/cause-categories",
         {{"/api/v1/cause-categories", R"({"code":"intruder","name_zh":"入侵","name_en":"Intruder"})", Expect::kDenied}}},
        {"PUT /api/v1/cause-categories/{id}",
         {{"/api/v1/cause-categories/1", R"({"version":1,"name_zh":"改掉"})", Expect::kDenied}}},
        {"PUT /api/v1/problems/{id}/cause-analysis",
         {{"/api/v1/problems/{problem}/cause-analysis", R"({"cause_category_ids":[1],"text":"入侵"})", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/stats/causes", {{"/api/v1/orgs/{org}/stats/causes", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/self-inspection-items",
         {{"/api/v1/orgs/{district}/self-inspection-items?subtree=true", "", Expect::kNotFound}}},
        {"POST /api/v1/orgs/{id}/self-inspection-items",
         {{"/api/v1/orgs/{district}/self-inspection-items",
           R"({"kind":"leadership_group","problem_text":"入侵","deadline":"2030-01-01"})", Expect::kNotFound}}},
        {"GET /api/v1/self-inspection-items/{id}", {{"/api/v1/self-inspection-items/{selfitem}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/self-inspection-items/{id}",
         {{"/api/v1/self-inspection-items/{selfitem}", R"({"version":1,"note":"改掉"})", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/stats/self-inspection", {{"/api/v1/orgs/{org}/stats/self-inspection", "", Expect::kNotFound}}},
        // ---- the public portal (issue 9) ----
        {"GET /api/v1/public/categories", {{"/api/v1/public/categories", "", Expect::kPublic}}},
        {"GET /api/v1/public/divisions", {{"/api/v1/public/divisions?parent={code}", "", Expect::kPublic}}},
        {"POST /api/v1/public/opinions",
         {{"/api/v1/public/opinions",
           R"({"category_id":1,"address":"公共地址","title":"公众意见","text":"一条来自公众的意见内容"})", Expect::kPublic}}},
        {"GET /api/v1/public/opinions/{code}", {{"/api/v1/public/opinions/ABCD-EFGH-JKMN", "", Expect::kPublic}}},
        {"POST /api/v1/public/opinions/{code}/rating",
         {{"/api/v1/public/opinions/ABCD-EFGH-JKMN/rating", R"({"satisfaction":"dissatisfied"})", Expect::kPublic}}},
        {"GET /api/v1/public/orgs", {{"/api/v1/public/orgs?parent_id={org}", "", Expect::kPublic}}},
        {"GET /api/v1/public/orgs/{id}/notices", {{"/api/v1/public/orgs/{org}/notices", "", Expect::kPublic}}},
        // ---- Open311 GeoReport v2 (issue 9): public reads; a POST with the other side's division code
        // is refused (the api_key's account must hold clerk where the request is routed) ----
        {"GET /open311/v2/discovery.xml", {{"/open311/v2/discovery.xml", "", Expect::kPublic}}},
        {"GET /open311/v2/discovery.json", {{"/open311/v2/discovery.json", "", Expect::kPublic}}},
        {"GET /open311/v2/services.xml", {{"/open311/v2/services.xml", "", Expect::kPublic}}},
        {"GET /open311/v2/services.json", {{"/open311/v2/services.json", "", Expect::kPublic}}},
        {"GET /open311/v2/requests.xml", {{"/open311/v2/requests.xml", "", Expect::kPublic}}},
        {"GET /open311/v2/requests.json", {{"/open311/v2/requests.json?status=open", "", Expect::kPublic}}},
        {"POST /open311/v2/requests.xml",
         {{"/open311/v2/requests.xml?api_key={own.secret}&service_code=3&address_id={code}&description=%E5%85%A5%E4%BE%B5%E7%9A%84%E8%AF%B7%E6%B1%82%E6%8F%8F%E8%BF%B0%E6%96%87%E5%AD%97",
           "", Expect::kDenied}}},
        {"POST /open311/v2/requests.json",
         {{"/open311/v2/requests.json?api_key={own.secret}&service_code=3&address_id={code}&description=%E5%85%A5%E4%BE%B5%E7%9A%84%E8%AF%B7%E6%B1%82%E6%8F%8F%E8%BF%B0%E6%96%87%E5%AD%97",
           "", Expect::kDenied}}},
        {"GET /open311/v2/services/{code}", {{"/open311/v2/services/3.xml", "", Expect::kPublic}}},
        {"GET /open311/v2/requests/{id}", {{"/open311/v2/requests/{opinion}.json", "", Expect::kPublic}}},
        {"GET /open311/v2/tokens/{id}", {{"/open311/v2/tokens/ABCD-EFGH-JKMN.xml", "", Expect::kPublic}}},
    };
    return table;
}

// Every route the server has, from its router (an Api over a throwaway database).
std::vector<http::RouteInfo> ServerRoutes() {
    TempDir dir;
    auto store = store::Store::OpenSqlite(dir.File("routes.db"), store::OpenMode::kCreateIfMissing);
    EXPECT_TRUE(store.ok());
    auto svc = service::Service::Create(std::move(store).value());
    EXPECT_TRUE(svc.ok());
    http::Api api(**svc, http::ApiOptions{});
    return api.Routes();
}

std::string Fill(std::string text, const Side& target, const Side& own) {
    auto replace_all = [&](const std::string& key, const std::string& value) {
        for (std::size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, key.size(), value);
    };
    for (const auto& [k, v] : own.values) replace_all("{own." + k + "}", v);
    for (const auto& [k, v] : target.values) replace_all("{" + k + "}", v);
    return text;
}

class CrossSubtree : public ApiServer, public ::testing::WithParamInterface<std::string> {
protected:
    // Users are made before the server starts (the CLI); records after (over HTTP, as the root admin).
    void BeforeServe() override {
        WriteFile(dir_.path() / "tianjin.csv",
                  "path,level,kind,batch,division_code\n"
                  "天津市,province,party_gov_agency,1,12\n"
                  "天津市/和平区,county,party_gov_agency,1,120101\n"
                  "天津市/和平区/劝业场街道,township,party_gov_agency,1,120101001\n");
        auto imported = RunRectify(dir_.path(), {"--db", db_, "import", "orgs", dir_.File("tianjin.csv")});
        ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
        // Orgs: 河北省 2 > 石家庄市 3 > 长安区 4 (from the fixture); 天津市 9 > 和平区 10 > 劝业场街道 11.
        hebei_ = {"hebei",
                  {{"org", "2"}, {"district", "3"}, {"sub", "4"}, {"code", "13"}, {"orgname", "%E6%B2%B3%E5%8C%97"}}};
        tianjin_ = {"tianjin", {{"org", "9"}, {"district", "10"}, {"sub", "11"}, {"code", "12"},
                                {"orgname", "%E5%A4%A9%E6%B4%A5"}}};
        for (Side* s : {&hebei_, &tianjin_}) {
            const std::string org = "code:" + s->values["code"];
            s->password = "password of " + s->key;
            std::string error;
            ASSERT_TRUE(AddUser(dir_.path(), db_, s->key + ".user", org, {GetParam()}, s->password, &error)) << error;
            const std::string district = s->key == "hebei" ? "code:1301" : "code:120101";
            ASSERT_TRUE(AddUser(dir_.path(), db_, s->key + ".helper", district, {"clerk"}, "helper password", &error))
                << error;
            s->values["username"] = s->key + ".user";
            for (const char* name : {"auth", "spare"}) {
                auto t = RunRectify(dir_.path(), {"--db", db_, "token", "create", "--user", s->key + ".user", "--name",
                                                  std::string(name) + " token of " + s->key});
                ASSERT_EQ(t.exit_code, 0) << t.err;
                json j = json::parse(t.out);
                if (std::string(name) == "auth") {
                    s->token = j["secret"];
                    s->values["secret"] = s->token;  // the Open311 api_key
                } else {
                    s->values["token"] = std::to_string(j["token"]["id"].get<std::int64_t>());
                }
            }
        }
        hebei_.markers = {"河北省", "石家庄市", "hebei.", "机密问题-河北", "机密意见-河北", "token of hebei",
                          "机密问题二-河北", "机密任务-河北", "机密证据-河北", "secret-hebei", "机密机制-河北",
                          "机密会议-河北", "机密发现-河北", "机密上报-河北", "机密通报-河北", "机密小组-河北", "hook-hebei", "机密通知-河北",
                          "机密专项行动-河北", "机密专项-河北", "campaign-hebei", "机密学习-河北", "机密调研-河北",
                          "机密调研意见-河北", "机密检视-河北"};
        tianjin_.markers = {"天津市", "和平区", "tianjin.", "机密问题-天津", "机密意见-天津", "token of tianjin",
                            "机密问题二-天津", "机密任务-天津", "机密证据-天津", "secret-tianjin", "机密机制-天津",
                            "机密会议-天津", "机密发现-天津", "机密上报-天津", "机密通报-天津", "机密小组-天津", "hook-tianjin", "机密通知-天津",
                            "机密专项行动-天津", "机密专项-天津", "campaign-tianjin", "机密学习-天津", "机密调研-天津",
                            "机密调研意见-天津", "机密检视-天津"};
    }

    // The records of each side, made by the root admin; then ids of users and grants; then sessions.
    void MakeRecords() {
        for (Side* s : {&hebei_, &tianjin_}) {
            const std::string side = s->key == "hebei" ? "河北" : "天津";
            s->values["problem"] = std::to_string(CreateProblem("机密问题-" + side, s->Id("district")));
            auto op = Post("/api/v1/opinions",
                           json{{"channel", "web"}, {"title", "机密意见-" + side}, {"org_id", s->Id("district")}}.dump());
            ASSERT_EQ(op.status, 201) << op.body;
            s->values["opinion"] = std::to_string(op.Json()["id"].get<std::int64_t>());
            // The workflow's records (issue 3): one of each kind the workflow routes take ids of.
            s->values["problem2"] = std::to_string(CreateProblem("机密问题二-" + side, s->Id("district")));
            auto task = Post("/api/v1/problems/" + s->values["problem"] + "/tasks",
                             json{{"org_id", s->Id("district")},
                                  {"title", "机密任务-" + side},
                                  {"responsible_person", "负责人"},
                                  {"type", "time_bound"},
                                  {"due_at", "2030-12-31"}}
                                 .dump());
            ASSERT_EQ(task.status, 201) << task.body;
            s->values["task"] = std::to_string(task.Json()["id"].get<std::int64_t>());
            auto evidence = Send(port(), "POST",
                                 "/api/v1/tasks/" + s->values["task"] + "/evidence?filename=secret-" + s->key + ".txt",
                                 "机密证据-" + side, Auth({{"Content-Type", "text/plain"}}));
            ASSERT_EQ(evidence.status, 201) << evidence.body;
            s->values["evidence"] = std::to_string(evidence.Json()["id"].get<std::int64_t>());
            auto mechanism = Post("/api/v1/mechanisms", json{{"org_id", s->Id("district")},
                                                             {"title", "机密机制-" + side},
                                                             {"problem_ids", {s->Id("problem")}}}
                                                            .dump());
            ASSERT_EQ(mechanism.status, 201) << mechanism.body;
            s->values["mechanism"] = std::to_string(mechanism.Json()["id"].get<std::int64_t>());
            auto meeting = Post("/api/v1/meetings", json{{"org_id", s->Id("district")},
                                                         {"kind", "other"},
                                                         {"title", "机密会议-" + side},
                                                         {"held_at", "2024-03-01T09:00:00+08:00"},
                                                         {"findings", {"机密发现-" + side}}}
                                                        .dump());
            ASSERT_EQ(meeting.status, 201) << meeting.body;
            s->values["meeting"] = std::to_string(meeting.Json()["id"].get<std::int64_t>());
            s->values["finding"] = std::to_string(meeting.Json()["findings"][0]["id"].get<std::int64_t>());
            // Linkage (issue 5): a pending escalation of the second problem to the side's province.
            auto escalation = Post("/api/v1/problems/" + s->values["problem2"] + "/escalations",
                                   json{{"to_org_id", s->Id("org")}, {"reason", "机密上报-" + side}}.dump());
            ASSERT_EQ(escalation.status, 201) << escalation.body;
            s->values["escalation"] = std::to_string(escalation.Json()["id"].get<std::int64_t>());
            // Supervision (issue 8): a bulletin over the side's province.
            auto bulletin = Post("/api/v1/bulletins", json{{"org_id", s->Id("org")},
                                                           {"title", "机密通报-" + side},
                                                           {"period_from", "2024-01-01"},
                                                           {"period_to", "2031-01-01"}}
                                                          .dump());
            ASSERT_EQ(bulletin.status, 201) << bulletin.body;
            s->values["bulletin"] = std::to_string(bulletin.Json()["id"].get<std::int64_t>());
            auto team = Post("/api/v1/teams", json{{"org_id", s->Id("org")}, {"name", "机密小组-" + side}}.dump());
            ASSERT_EQ(team.status, 201) << team.body;
            s->values["team"] = std::to_string(team.Json()["id"].get<std::int64_t>());
            auto assigned = Post("/api/v1/teams/" + s->values["team"] + "/assignments",
                                 json{{"org_id", s->Id("district")}}.dump());
            ASSERT_EQ(assigned.status, 200) << assigned.body;
            s->values["assignment"] = std::to_string(assigned.Json()["assignments"][0]["id"].get<std::int64_t>());
            // Notifications and webhooks (issue 8): a webhook of the district over HTTP; a notice to the
            // side's user's org (the province) written through the store — supervision steps make them,
            // and their routes are not part of this test.
            auto hook = Post("/api/v1/webhooks",
                             json{{"org_id", s->Id("district")}, {"url", "http://127.0.0.1:9/hook-" + s->key}}.dump());
            ASSERT_EQ(hook.status, 201) << hook.body;
            s->values["webhook"] = std::to_string(hook.Json()["id"].get<std::int64_t>());
            // Campaigns (issue 5): one run by the side's province, with one special item.
            auto campaign = Post("/api/v1/campaigns",
                                 json{{"code", "campaign-" + s->key},
                                      {"name", "机密专项行动-" + side},
                                      {"owner_org_id", s->Id("org")},
                                      {"start_date", "2019-06-01"},
                                      {"end_date", "2019-11-30"},
                                      {"special_items", json::array({{{"code", "item"}, {"title", "机密专项-" + side}}})}}
                                     .dump());
            ASSERT_EQ(campaign.status, 201) << campaign.body;
            s->values["campaign"] = std::to_string(campaign.Json()["id"].get<std::int64_t>());
            s->values["item"] = std::to_string(campaign.Json()["special_items"][0]["id"].get<std::int64_t>());
            // Study and research (issue 12): two sessions and a visit with one opinion heard, of the district.
            for (const char* key : {"study", "study2"}) {
                auto study = Post("/api/v1/orgs/" + s->values["district"] + "/study-sessions",
                                  json{{"held_on", "2026-03-01"}, {"topic", "机密学习-" + side}, {"form", "collective_study"},
                                       {"hours", 2}, {"attendance", {{{"name", "机密学习-" + side}, {"present", true}}}}}
                                      .dump());
                ASSERT_EQ(study.status, 201) << study.body;
                s->values[key] = std::to_string(study.Json()["id"].get<std::int64_t>());
            }
            auto visit = Post("/api/v1/orgs/" + s->values["district"] + "/research-visits",
                              json{{"visitors", {"机密调研-" + side}}, {"place", "机密调研-" + side},
                                   {"visited_on", "2026-03-02"}, {"opinions", {{{"text", "机密调研意见-" + side}}}}}
                                  .dump());
            ASSERT_EQ(visit.status, 201) << visit.body;
            s->values["visit"] = std::to_string(visit.Json()["id"].get<std::int64_t>());
            // Issue 12: a leadership-group self-inspection item of the district.
            auto self_item = Post("/api/v1/orgs/" + s->values["district"] + "/self-inspection-items",
                                  json{{"kind", "leadership_group"}, {"problem_text", "机密检视-" + side},
                                       {"deadline", "2030-01-01"}}
                                      .dump());
            ASSERT_EQ(self_item.status, 201) << self_item.body;
            s->values["selfitem"] = std::to_string(self_item.Json()["id"].get<std::int64_t>());
            {
                auto store = store::Store::Open(db_, store::OpenMode::kMustExist);
                ASSERT_TRUE(store.ok()) << store.status().ToString();
                domain::Notification n;
                n.org_id = s->Id("org");
                n.kind = "urge";
                n.title = "机密通知-" + side;
                n.body = "机密通知-" + side;
                n.created_at = 1767225600;
                ASSERT_TRUE((*store)->Write([&](store::WriteTx& tx) { return tx.InsertNotification(n); }).ok());
                s->values["notification"] = std::to_string(n.id);
            }
            auto users = Get("/api/v1/users?org_id=" + s->values["org"]);
            ASSERT_EQ(users.status, 200) << users.body;
            const json items = users.Json()["items"];
            for (const auto& u : items) {
                const std::string name = u["name"];
                if (name == s->key + ".user") s->values["user"] = std::to_string(u["id"].get<std::int64_t>());
                if (name == s->key + ".helper") {
                    s->values["helper"] = std::to_string(u["id"].get<std::int64_t>());
                    s->values["grant"] = std::to_string(u["grants"][0]["id"].get<std::int64_t>());
                }
            }
            ASSERT_TRUE(s->values.count("user") && s->values.count("helper"));
            s->session = Login(s->key + ".user", s->password);
            ASSERT_FALSE(s->session.csrf.empty());
        }
    }

    // What a side looks like to the root admin: compared before and after the other side's walk.
    json Snapshot(const Side& s) {
        json snap;
        for (const std::string& p : {"/api/v1/problems/" + s.values.at("problem"),
                                     "/api/v1/opinions/" + s.values.at("opinion"), "/api/v1/users/" + s.values.at("user"),
                                     "/api/v1/users/" + s.values.at("helper"), "/api/v1/orgs/" + s.values.at("org"),
                                     "/api/v1/orgs/" + s.values.at("org") + "/children",
                                     "/api/v1/orgs/" + s.values.at("org") + "/stats",
                                     "/api/v1/users?org_id=" + s.values.at("org"),
                                     "/api/v1/tokens?user_id=" + s.values.at("user"),
                                     "/api/v1/audit/events?org_id=" + s.values.at("org") + "&limit=5000",
                                     "/api/v1/problems/" + s.values.at("problem2"),
                                     "/api/v1/problems/" + s.values.at("problem") + "/timeline",
                                     "/api/v1/tasks/" + s.values.at("task"),
                                     "/api/v1/tasks/" + s.values.at("task") + "/reports",
                                     "/api/v1/evidence/" + s.values.at("evidence"),
                                     "/api/v1/evidence/" + s.values.at("evidence") + "/content",
                                     "/api/v1/mechanisms/" + s.values.at("mechanism"),
                                     "/api/v1/meetings/" + s.values.at("meeting"),
                                     "/api/v1/escalations/" + s.values.at("escalation"),
                                     "/api/v1/tasks/" + s.values.at("task") + "/children",
                                     "/api/v1/webhooks/" + s.values.at("webhook"),
                                     "/api/v1/webhooks/" + s.values.at("webhook") + "/deliveries",
                                     "/api/v1/campaigns/" + s.values.at("campaign"),
                                     "/api/v1/special-items/" + s.values.at("item"),
                                     "/api/v1/study-sessions/" + s.values.at("study"),
                                     "/api/v1/study-sessions/" + s.values.at("study2"),
                                     "/api/v1/research-visits/" + s.values.at("visit"),
                                     "/api/v1/orgs/" + s.values.at("org") + "/stats/study",
                                     "/api/v1/self-inspection-items/" + s.values.at("selfitem")}) {
            auto r = Get(p);
            EXPECT_EQ(r.status, 200) << p << ": " << r.body;
            if (p.ends_with("/content")) {  // the evidence file itself
                snap[p] = r.body;
                continue;
            }
            json j = r.Json();
            if (j.is_object() && j.contains("items")) {
                for (auto& item : j["items"]) item.erase("last_used_at");  // reads may touch this
            }
            j.erase("last_used_at");
            if (p.ends_with("/stats")) {
                // The instant the figures were computed at, and the weeks it selects, move with the clock.
                j.erase("at");
                j.erase("weekly");
            }
            snap[p] = j;
        }
        return snap;
    }

    // The credentials of a side, and the file type of an evidence upload.
    Headers AuthOf(const Side& s, bool session, const std::string& method, const std::string& path = "") {
        Headers h = session ? s.session.Auth(method != "GET") : Headers{{"Authorization", "Bearer " + s.token}};
        if (path.find("/evidence?") != std::string::npos) h.emplace_back("Content-Type", "text/plain");
        return h;
    }

    // `attacker` walks every probe with `target`'s ids. Returns the number of requests made.
    int Walk(const Side& attacker, const Side& target, bool session, bool control) {
        const std::string who = attacker.key + (session ? " (session)" : " (token)") +
                                (control ? " on its own data" : " against " + target.key);
        int requests = 0;
        std::vector<std::pair<std::string, Probe>> last;  // the logout goes last
        auto send = [&](const std::string& method, const std::string& route, const Probe& p) {
            const std::string path = Fill(p.target, target, attacker);
            const std::string body = Fill(p.body, target, attacker);
            auto r = Send(port(), method, path, body, AuthOf(attacker, session, method, path));
            ++requests;
            const std::string what = who + ": " + method + " " + path + (body.empty() ? "" : " " + body);
            EXPECT_LT(r.status, 500) << what << " -> " << r.status << " " << r.body;
            if (control) {
                // The same request on its own data is well-formed and finds what it names.
                EXPECT_NE(r.status, 400) << what << " -> " << r.body;
                if (p.expect == Expect::kNotFound) EXPECT_NE(r.status, 404) << what << " -> " << r.body;
                return;
            }
            if (p.expect == Expect::kNotFound) EXPECT_EQ(r.status, 404) << what << " -> " << r.body;
            if (p.expect == Expect::kDenied) {
                EXPECT_TRUE(r.status >= 400 && r.status < 500) << what << " -> " << r.status << " " << r.body;
            }
            if (r.status >= 200 && r.status < 300 && p.expect != Expect::kOwnSession && p.expect != Expect::kOwnInbox &&
                p.expect != Expect::kPublic) {
                EXPECT_EQ(method, "GET") << what << ": a change was accepted -> " << r.status << " " << r.body;
            }
            for (const auto& m : target.markers) {
                if (path.find(m) != std::string::npos || body.find(m) != std::string::npos) continue;
                // Public by design: org and place names, and the notice board's mechanisms (problems
                // show only when closed, and none of the probe's problems is).
                if (p.expect == Expect::kPublic && (m.find("机密机制") == 0 || m == "河北省" || m == "石家庄市" ||
                                                    m == "天津市" || m == "和平区")) {
                    continue;
                }
                EXPECT_EQ(r.body.find(m), std::string::npos) << what << " shows \"" << m << "\": " << r.body;
            }
        };
        for (const auto& route : routes_) {
            const std::string key = route.method + " " + route.pattern;
            for (const auto& p : ProbeTable().at(key)) {
                if (key == "DELETE /api/v1/session") {
                    last.emplace_back(route.method, p);
                    continue;
                }
                // Controls that would end the walk's own credentials or lock its own user are skipped.
                if (control && (key.rfind("POST /api/v1/session", 0) == 0)) continue;
                send(route.method, route.pattern, p);
            }
        }
        if (!control) {
            for (const auto& [method, p] : last) send(method, "DELETE /api/v1/session", p);
        }
        return requests;
    }

    Side hebei_, tianjin_;
    std::vector<http::RouteInfo> routes_ = ServerRoutes();
};

TEST_P(CrossSubtree, NeitherSideReadsOrChangesTheOthersDataOnAnyRoute) {
    MakeRecords();
    ASSERT_FALSE(HasFatalFailure());
    // The probe table covers exactly the server's routes.
    std::set<std::string> routes;
    for (const auto& r : routes_) routes.insert(r.method + " " + r.pattern);
    for (const auto& key : routes) EXPECT_TRUE(ProbeTable().count(key)) << "no probe for the route " << key;
    for (const auto& [key, probes] : ProbeTable()) EXPECT_TRUE(routes.count(key)) << "probe for no route: " << key;
    ASSERT_FALSE(HasFailure());

    const json hebei_before = Snapshot(hebei_);
    const json tianjin_before = Snapshot(tianjin_);
    int requests = 0;
    for (bool session : {false, true}) {
        requests += Walk(hebei_, tianjin_, session, false);
        requests += Walk(tianjin_, hebei_, session, false);
    }
    EXPECT_GE(requests, 4 * static_cast<int>(routes_.size()));
    EXPECT_EQ(Snapshot(hebei_), hebei_before) << "河北省's data changed";
    EXPECT_EQ(Snapshot(tianjin_), tianjin_before) << "天津市's data changed";

    // Controls, after the attacks: each probe on the actor's own data is well-formed and finds it.
    for (Side* s : {&hebei_, &tianjin_}) {
        s->session = Login(s->key + ".user", s->password);
        Walk(*s, *s, false, true);
    }
}

TEST_P(CrossSubtree, EveryRouteButTheLoginAndHealthAnswers401WithoutValidCredentials) {
    MakeRecords();
    ASSERT_FALSE(HasFatalFailure());
    int checked = 0;
    for (const auto& route : routes_) {
        const std::string key = route.method + " " + route.pattern;
        for (const auto& p : ProbeTable().at(key)) {
            const std::string path = Fill(p.target, hebei_, hebei_);
            const std::string body = Fill(p.body, hebei_, hebei_);
            const std::vector<Headers> anonymous = {
                {},
                {{"Authorization", "Bearer rct_" + std::string(43, 'x')}},
                {{"Authorization", "Bearer " + hebei_.token + "x"}},
                {{"Cookie", "rectify_session=" + std::string(43, 'x')}, {"X-CSRF-Token", hebei_.session.csrf}},
                {{"Authorization", "Basic aGViZWkudXNlcjpwYXNzd29yZCBvZiBoZWJlaQ=="}},
            };
            for (const auto& headers : anonymous) {
                auto r = Send(port(), route.method, path, body, headers);
                if (route.access == http::Access::kPublic) continue;  // health, and the login itself
                EXPECT_TRUE(IsError(r, 401, "unauthenticated")) << route.method << " " << path;
                EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"rectify\"") << path;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 5 * 30);
}

INSTANTIATE_TEST_SUITE_P(Roles, CrossSubtree, ::testing::Values("clerk", "admin"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rectify::testing
