#include "service/service.hpp"
#include "service/detail/checks.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "domain/json.hpp"
#include "service/detail/account_state.hpp"
#include "service/detail/linkage_hooks.hpp"

namespace rectify::service {
namespace {

using domain::Org;
using domain::Problem;

// The default org levels (rank 0 = top). Levels are data: an admin may add more (e.g. "branch").
const std::vector<domain::OrgLevel>& DefaultLevels() {
    static const std::vector<domain::OrgLevel> levels = {
        {"central", "中央", "Central", 0},    {"province", "省级", "Province", 1},
        {"city", "市级", "City", 2},          {"county", "县级", "County", 3},
        {"township", "乡镇级", "Township", 4}, {"village", "村(社区)级", "Village / community", 5},
        {"unit", "基层单位", "Unit", 6},
    };
    return levels;
}

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxPageSize); }

Status CheckLimit(int limit) {
    if (limit < 1 || limit > kMaxPageSize) {
        return InvalidArgument("limit: must be between 1 and " + std::to_string(kMaxPageSize));
    }
    return Status::Ok();
}

template <typename T>
Page<T> MakePage(std::vector<T> items, int limit) {
    Page<T> page;
    // One extra row was fetched to learn whether another page follows.
    if (static_cast<int>(items.size()) > limit) {
        items.resize(limit);
        page.next_cursor = EncodeCursor(items.back().id);
    }
    page.items = std::move(items);
    return page;
}

}  // namespace

Rate MakeRate(std::int64_t numerator, std::int64_t denominator) {
    Rate r{numerator, denominator, std::nullopt};
    if (denominator > 0) r.rate = static_cast<double>(numerator) / static_cast<double>(denominator);
    return r;
}

// ---- helpers shared with the importers ----

store::Event MakeEvent(const Actor& actor, std::string entity, std::int64_t id, std::string action,
                       const std::optional<nlohmann::json>& before, const std::optional<nlohmann::json>& after) {
    store::Event e;
    e.at = NowSeconds();
    e.actor = actor.name;
    e.entity = std::move(entity);
    e.entity_id = id;
    e.action = std::move(action);
    if (before) e.before_json = before->dump();
    if (after) e.after_json = after->dump();
    return e;
}

namespace detail {

Status AuthorizeRoles(const Service& svc, const domain::Actor& actor, domain::RoleSet roles, domain::OrgId org,
                      const std::string& doing) {
    for (domain::Role role : roles.roles()) {
        if (svc.HasRole(actor, role, org)) return Status::Ok();
    }
    return PermissionDenied(doing + " needs the role " + roles.ToText() + " over org " + std::to_string(org));
}

Status CheckVersion(const std::string& what, std::int64_t id, std::optional<std::int64_t> sent, std::int64_t current) {
    if (!sent || *sent == current) return Status::Ok();
    return Aborted(what + " " + std::to_string(id) + " was changed by someone else: you sent version " +
                   std::to_string(*sent) + ", the current version is " + std::to_string(current) +
                   "; reload and apply your change again");
}

store::Event TransitionEvent(const domain::Actor& actor, std::string entity, std::int64_t id, std::string action,
                             const std::optional<nlohmann::json>& before, const std::optional<nlohmann::json>& after,
                             std::optional<std::string> from, std::optional<std::string> to,
                             std::optional<std::string> reason) {
    store::Event e = MakeEvent(actor, std::move(entity), id, std::move(action), before, after);
    e.from_state = std::move(from);
    e.to_state = std::move(to);
    e.reason = std::move(reason);
    return e;
}

}  // namespace detail

std::string EncodeCursor(std::int64_t last_id) {
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string s;
    auto v = static_cast<std::uint64_t>(last_id);
    do {
        s.insert(s.begin(), kDigits[v % 36]);
        v /= 36;
    } while (v);
    return "c" + s;
}

Result<std::int64_t> DecodeCursor(const std::string& cursor) {
    auto bad = [&] { return InvalidArgument("cursor: \"" + cursor + "\" is not a cursor this server issued"); };
    if (cursor.size() < 2 || cursor.size() > 14 || cursor[0] != 'c') return bad();
    std::int64_t v = 0;
    for (std::size_t i = 1; i < cursor.size(); ++i) {
        char c = cursor[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1;
        if (d < 0) return bad();
        v = v * 36 + d;
    }
    if (v <= 0) return bad();
    return v;
}

// ---- construction and the org tree ----

Result<std::unique_ptr<Service>> Service::Create(std::unique_ptr<store::Store> store, AccountPolicy policy) {
    std::unique_ptr<Service> s(new Service(std::move(store)));
    s->accounts_ = detail::MakeAccountState(std::move(policy));
    s->org_cache_ = std::make_unique<detail::GenerationCache<domain::OrgId, Org>>(kOrgCacheCapacity, std::nullopt);
    // Read before the tree: everything committed up to this id is in what ReloadTree reads next and in what
    // the index will read when it is built; events after it are applied as they come (OnCommit, CatchUp).
    ASSIGN_OR_RETURN(s->applied_event_id_, s->store_->LastEventId());
    RETURN_IF_ERROR(s->ReloadTree());
    // The roll-up index is built at the first Stats call or by BuildRollupIndex (serve calls it before it
    // listens), not here: a CLI command that never reads figures should not pay for it. Until then every
    // commit just leaves it unbuilt.
    Service* self = s.get();
    s->store_->SetCommitObserver([self](const std::vector<store::Event>& events) { self->OnCommit(events); });
    return s;
}

Status Service::ReloadTree() {
    ASSIGN_OR_RETURN(auto orgs, store_->ListOrgs());
    ASSIGN_OR_RETURN(auto tree, index::OrgTree::Build(orgs));
    auto snapshot = std::make_shared<const index::OrgTree>(std::move(tree));
    {
        std::unique_lock lock(tree_mutex_);
        tree_ = std::move(snapshot);
    }
    // A token's actor was worked out on the old tree (ActorOf: which grant orgs exist, which cover others);
    // a moved subtree's orgs have new paths.
    accounts_->tokens.Invalidate();
    org_cache_->Invalidate();
    return Status::Ok();
}

std::shared_ptr<const index::OrgTree> Service::Tree() const {
    std::shared_lock lock(tree_mutex_);
    return tree_;
}

Actor Service::RootActor(const std::string& name) const {
    auto tree = Tree();
    if (!tree || tree->size() == 0) return Actor{name, {}, {}, std::nullopt};
    return SubtreeAdmin(name, tree->Root());
}

Actor Service::SubtreeAdmin(const std::string& name, domain::OrgId org_id) const {
    return Actor{name, {org_id}, {domain::Grant{domain::Role::kAdmin, org_id}}, std::nullopt};
}

bool Service::HasRole(const Actor& actor, domain::Role role, domain::OrgId id) const {
    auto tree = Tree();
    for (const auto& g : actor.grants) {
        if ((g.role == role || g.role == domain::Role::kAdmin) && tree->InSubtree(id, g.org_id)) return true;
    }
    return false;
}

bool Service::CanEditProblems(const Actor& actor, domain::OrgId org) const {
    return HasRole(actor, domain::Role::kClerk, org) || HasRole(actor, domain::Role::kReviewer, org);
}

bool Service::InScope(const Actor& actor, domain::OrgId id) const {
    auto tree = Tree();
    for (domain::OrgId root : actor.scope) {
        if (tree->InSubtree(id, root)) return true;
    }
    return false;
}

Status detail::MissingOr(const Status& read, const std::string& message) {
    return read.code() == StatusCode::kNotFound ? NotFound(message) : read;
}

Result<Org> Service::GetOrgInScope(const Actor& actor, domain::OrgId id) {
    if (!InScope(actor, id)) return NotFound("org " + std::to_string(id) + " does not exist");
    return CachedOrg(id);
}

Result<Org> Service::CachedOrg(domain::OrgId id) {
    // No age bound: `now` plays no part.
    if (auto kept = org_cache_->Get(id, 0)) return std::move(*kept);
    const std::uint64_t generation = org_cache_->Generation();  // before the store: detail::GenerationCache
    ASSIGN_OR_RETURN(Org org, store_->GetOrg(id));
    org_cache_->Put(id, org, generation, 0);
    return org;
}

// The subtree paths a list may cover: the asked org's (when in scope), else every scope root's.
Result<std::vector<std::string>> Service::ScopePaths(const Actor& actor, std::optional<domain::OrgId> org_id) {
    std::vector<std::string> paths;
    if (org_id) {
        ASSIGN_OR_RETURN(Org org, GetOrgInScope(actor, *org_id));
        paths.push_back(org.path);
        return paths;
    }
    if (actor.scope.empty()) return PermissionDenied("this actor has no org in scope");
    for (domain::OrgId root : actor.scope) {
        ASSIGN_OR_RETURN(Org org, CachedOrg(root));
        paths.push_back(org.path);
    }
    return paths;
}

// ---- set-up ----

bool Service::Initialized() const {
    auto tree = Tree();
    return tree && tree->size() > 0;
}

Status Service::Init(const Actor& actor, const InitOptions& options) {
    std::vector<domain::Category> categories;
    if (options.categories_csv) {
        // 一级分类,二级分类,三级分类: every row is a leaf; its ancestors are implied.
        ASSIGN_OR_RETURN(CsvTable table, ReadCsvFile(*options.categories_csv));
        if (table.header.size() < 3) {
            return InvalidArgument(*options.categories_csv +
                                   ": expected 3 columns (一级分类,二级分类,三级分类), found " +
                                   std::to_string(table.header.size()));
        }
        for (std::size_t r = 0; r < table.rows.size(); ++r) {
            const auto& row = table.rows[r];
            if (row.size() < 3) {
                return InvalidArgument(*options.categories_csv + ": row " + std::to_string(r + 1) +
                                       " has fewer than 3 cells");
            }
            std::string path;
            for (int depth = 1; depth <= 3; ++depth) {
                std::string name(TrimAscii(row[depth - 1]));
                if (name.empty() || name.find('/') != std::string::npos) {
                    return InvalidArgument(*options.categories_csv + ": row " + std::to_string(r + 1) + ", column \"" +
                                           table.header[depth - 1] + "\": empty or contains '/'");
                }
                path += (depth > 1 ? "/" : "") + name;
                categories.push_back(domain::Category{0, std::nullopt, name, depth, path});
            }
        }
    }
    Status st = store_->Write([&](store::WriteTx& tx) -> Status {
        for (const auto& level : DefaultLevels()) RETURN_IF_ERROR(tx.UpsertLevel(level));
        ASSIGN_OR_RETURN(auto root, tx.FindChildByName(std::nullopt, options.root_name));
        if (!root && !Initialized()) {
            Org org;
            org.name = options.root_name;
            org.level = options.root_level;
            org.kind = domain::OrgKind::kPartyGovAgency;
            org.created_at = NowSeconds();
            RETURN_IF_ERROR(domain::ValidateOrg(org));
            RETURN_IF_ERROR(tx.InsertOrg(org));
            auto event = MakeEvent(actor, "org", org.id, "create", std::nullopt, domain::ToJson(org));
            RETURN_IF_ERROR(tx.AppendEvent(event));
        }
        for (auto& c : categories) {
            ASSIGN_OR_RETURN(auto existing, tx.FindCategoryByPath(c.path));
            if (existing) continue;
            if (c.depth > 1) {
                ASSIGN_OR_RETURN(auto parent, tx.FindCategoryByPath(c.path.substr(0, c.path.rfind('/'))));
                if (!parent) return Internal("category " + c.path + " came before its parent");
                c.parent_id = parent->id;
            }
            RETURN_IF_ERROR(tx.InsertCategory(c));
        }
        return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    {
        std::lock_guard lock(catalogue_mutex_);
        catalogue_.reset();  // categories may have been added
    }
    return ReloadTree();
}

// ---- orgs ----

Result<Org> Service::GetOrg(const Actor& actor, domain::OrgId id) { return GetOrgInScope(actor, id); }

Result<std::vector<Org>> Service::ListChildren(const Actor& actor, domain::OrgId id) {
    RETURN_IF_ERROR(GetOrgInScope(actor, id));
    return store_->ListChildren(id);
}

Result<Org> Service::FindOrgByDivisionCode(const Actor& actor, const std::string& code) {
    ASSIGN_OR_RETURN(auto org, store_->FindOrgByDivisionCode(code));
    if (!org || !InScope(actor, org->id)) return NotFound("no org has division code " + code);
    return *org;
}

Result<Org> Service::FindOrgByPath(const Actor& actor, const std::string& names_path) {
    if (TrimAscii(names_path).empty()) return InvalidArgument("org path: empty");
    auto tree = Tree();
    if (!tree || tree->size() == 0) return FailedPrecondition("the database has no orgs; run `rectify init`");
    ASSIGN_OR_RETURN(Org org, store_->GetOrg(tree->Root()));
    std::string walked;
    std::size_t start = 0;
    while (start <= names_path.size()) {
        std::size_t slash = names_path.find('/', start);
        if (slash == std::string::npos) slash = names_path.size();
        std::string name(TrimAscii(std::string_view(names_path).substr(start, slash - start)));
        walked += (walked.empty() ? "" : "/") + name;
        bool found = false;
        for (domain::OrgId child : tree->Children(org.id)) {
            ASSIGN_OR_RETURN(Org c, store_->GetOrg(child));
            if (c.name == name) {
                org = std::move(c);
                found = true;
                break;
            }
        }
        if (!found) return NotFound("org path \"" + names_path + "\": no org \"" + walked + "\"");
        start = slash + 1;
    }
    if (!InScope(actor, org.id)) return NotFound("org path \"" + names_path + "\": no such org");
    return org;
}

Result<std::vector<Org>> Service::SearchOrgs(const Actor& actor, const std::string& text, int limit) {
    std::string needle(TrimAscii(text));
    if (needle.empty()) return InvalidArgument("q: must not be empty");
    if (!IsValidUtf8(needle)) return InvalidArgument("q: invalid UTF-8");
    if (limit < 1 || limit > 100) return InvalidArgument("limit: must be between 1 and 100");
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, std::nullopt));
    return store_->SearchOrgs(needle, paths, limit);
}

Result<std::vector<Org>> Service::Ancestors(const Actor& actor, domain::OrgId id) {
    RETURN_IF_ERROR(GetOrgInScope(actor, id));
    auto tree = Tree();
    std::vector<domain::OrgId> chain;
    for (std::optional<domain::OrgId> cur = id; cur; cur = tree->Parent(*cur)) chain.push_back(*cur);
    std::vector<Org> out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (!InScope(actor, *it)) continue;  // above the actor's scope: not shown
        ASSIGN_OR_RETURN(Org org, store_->GetOrg(*it));
        out.push_back(std::move(org));
    }
    return out;
}

Result<Org> Service::CreateOrg(const Actor& actor, Org draft) {
    if (!draft.parent_id) return InvalidArgument("parent_id: required (there is one root, made by init)");
    RETURN_IF_ERROR(GetOrgInScope(actor, *draft.parent_id));
    if (!HasRole(actor, domain::Role::kAdmin, *draft.parent_id)) {
        return PermissionDenied("changing the org tree needs the admin role over the parent org");
    }
    draft.created_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateOrg(draft));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        if (draft.division_code) {
            ASSIGN_OR_RETURN(auto same, tx.FindOrgByDivisionCode(*draft.division_code));
            if (same) {
                return AlreadyExists("division_code: " + *draft.division_code + " belongs to org " +
                                     std::to_string(same->id));
            }
        }
        ASSIGN_OR_RETURN(auto sibling, tx.FindChildByName(draft.parent_id, draft.name));
        if (sibling) {
            return AlreadyExists("name: org " + std::to_string(sibling->id) + " under the same parent is already called " +
                                 draft.name);
        }
        RETURN_IF_ERROR(tx.InsertOrg(draft));
        auto event = MakeEvent(actor, "org", draft.id, "create", std::nullopt, domain::ToJson(draft));
        return tx.AppendEvent(event);
    }));
    RETURN_IF_ERROR(ReloadTree());
    return draft;
}

Result<Org> Service::MoveOrg(const Actor& actor, domain::OrgId id, domain::OrgId new_parent) {
    ASSIGN_OR_RETURN(Org before, GetOrgInScope(actor, id));
    RETURN_IF_ERROR(GetOrgInScope(actor, new_parent));
    if (!HasRole(actor, domain::Role::kAdmin, id) || !HasRole(actor, domain::Role::kAdmin, new_parent)) {
        return PermissionDenied("moving an org needs the admin role over the org and over its new parent");
    }
    if (!before.parent_id) return FailedPrecondition("the root org cannot be moved");
    Org after;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.MoveOrg(id, new_parent));
        ASSIGN_OR_RETURN(after, tx.GetOrg(id));
        auto event = MakeEvent(actor, "org", id, "move", domain::ToJson(before), domain::ToJson(after));
        return tx.AppendEvent(event);
    }));
    RETURN_IF_ERROR(ReloadTree());
    return after;
}

Result<std::vector<domain::OrgLevel>> Service::ListLevels() { return store_->ListLevels(); }

Result<domain::Category> Service::GetCategory(domain::CategoryId id) {
    ASSIGN_OR_RETURN(auto catalogue, Catalogue(id));
    if (const domain::Category* c = catalogue->Find(id)) return *c;
    return InvalidArgument("category_id: no category " + std::to_string(id));
}

Result<std::vector<domain::Category>> Service::ListCategories() {
    ASSIGN_OR_RETURN(auto catalogue, Catalogue());
    return catalogue->categories;
}

const domain::Category* Service::CategoryCatalogue::Find(domain::CategoryId id) const {
    auto it = position.find(id);
    return it == position.end() ? nullptr : &categories[it->second];
}

Result<std::shared_ptr<const Service::CategoryCatalogue>> Service::Catalogue(std::optional<domain::CategoryId> holding) {
    std::lock_guard lock(catalogue_mutex_);
    if (catalogue_ && (!holding || catalogue_->position.count(*holding))) return catalogue_;
    auto fresh = std::make_shared<CategoryCatalogue>();
    ASSIGN_OR_RETURN(fresh->categories, store_->ListCategories());
    std::unordered_map<domain::CategoryId, std::optional<domain::CategoryId>> parent;
    for (std::size_t i = 0; i < fresh->categories.size(); ++i) {
        fresh->position[fresh->categories[i].id] = i;
        parent[fresh->categories[i].id] = fresh->categories[i].parent_id;
    }
    for (const auto& c : fresh->categories) {
        domain::CategoryId top = c.id;
        for (int guard = 0; parent[top] && guard < 64; ++guard) top = *parent[top];
        fresh->top[c.id] = top;
    }
    catalogue_ = std::move(fresh);
    return catalogue_;
}

// ---- problems ----

Status Service::CheckCampaignFilter(const Actor& actor, std::optional<domain::CampaignId> campaign_id,
                                    std::optional<domain::SpecialItemId> special_item_id) {
    // A campaign or item the actor cannot see does not exist.
    if (campaign_id) RETURN_IF_ERROR(VisibleCampaign(actor, *campaign_id, "campaign_id: "));
    if (special_item_id) {
        auto item = GetSpecialItem(actor, *special_item_id);
        if (!item.ok()) return Status(item.status().code(), "special_item_id: " + item.status().message());
    }
    return Status::Ok();
}

bool Service::LargeShareOfProblems(const std::vector<std::string>& subtree_paths) const {
    std::shared_ptr<index::RollupIndex> rollup;
    {
        std::lock_guard lock(rollup_mutex_);
        if (rollup_stale_ || !rollup_) return false;  // never builds the index for a plan hint
        rollup = rollup_;
    }
    // "/1/5/23/": the root is the first id, the subtree's org the last.
    auto ids = [](const std::string& path) {
        std::vector<domain::OrgId> out;
        for (std::size_t at = 1; at < path.size();) {
            const std::size_t end = path.find('/', at);
            if (end == std::string::npos) break;
            out.push_back(std::stoll(path.substr(at, end - at)));
            at = end + 1;
        }
        return out;
    };
    std::int64_t total = 0, inside = 0;
    for (const auto& path : subtree_paths) {
        const auto chain = ids(path);
        if (chain.empty()) return false;
        index::FiguresQuery q;
        q.weeks = 0;
        q.root = chain.front();
        auto all = rollup->Query(q);
        q.root = chain.back();
        auto sub = rollup->Query(q);
        if (!all.ok() || !sub.ok()) return false;
        total = all->problems;
        inside += sub->problems;
    }
    return inside > 0 && inside * kWalkByIdShare >= total;
}

Result<Page<Problem>> Service::ListProblems(const Actor& actor, const ProblemQuery& query) {
    RETURN_IF_ERROR(CheckLimit(query.limit));
    store::ProblemFilter f;
    ASSIGN_OR_RETURN(f.subtree_paths, ScopePaths(actor, query.org_id));
    f.statuses = query.statuses;
    if (query.category_id) {
        ASSIGN_OR_RETURN(domain::Category category, GetCategory(*query.category_id));
        f.category_path = category.path;
    }
    f.source = query.source;
    f.created_from = query.created_from;
    f.created_to = query.created_to;
    f.overdue = query.overdue;
    f.now = NowSeconds();
    f.order = query.order;
    RETURN_IF_ERROR(CheckCampaignFilter(actor, query.campaign_id, query.special_item_id));
    f.campaign_id = query.campaign_id;
    f.special_item_id = query.special_item_id;
    if (query.batch && (*query.batch < 0 || *query.batch > 2)) return InvalidArgument("batch: must be 0, 1 or 2");
    f.batch = query.batch;
    f.org_kind = query.org_kind;
    if (query.ids.size() > kMaxProblemIds) {
        return InvalidArgument("ids: " + std::to_string(query.ids.size()) + " ids; at most " +
                               std::to_string(kMaxProblemIds));
    }
    f.ids = query.ids;
    if (query.cause_category_id) {  // issue 12
        auto cat = store_->GetCauseCategory(*query.cause_category_id);
        if (!cat.ok()) {
            if (cat.status().code() != StatusCode::kNotFound) return cat.status();
            return NotFound("cause_category_id: cause category " + std::to_string(*query.cause_category_id) +
                            " does not exist");
        }
        f.cause_category_id = cat->id;
    }
    if (query.offset < 0 || query.offset > kMaxOffset) {
        return InvalidArgument("offset: expected 0 to " + std::to_string(kMaxOffset));
    }
    f.offset = query.offset;
    if (query.cursor) {
        if (query.order != store::ProblemOrder::kIdDesc) {
            return InvalidArgument("cursor goes with the default order (newest first); page a sorted list with offset");
        }
        ASSIGN_OR_RETURN(f.before_id, DecodeCursor(*query.cursor));
    }
    f.walk_by_id = LargeShareOfProblems(f.subtree_paths);
    f.limit = ClampLimit(query.limit) + 1;
    ASSIGN_OR_RETURN(auto items, store_->ListProblems(f));
    auto page = MakePage(std::move(items), query.limit);
    // A cursor names the last id, which only continues the newest-first order.
    if (query.order != store::ProblemOrder::kIdDesc) page.next_cursor.reset();
    if (query.with_total) {
        ASSIGN_OR_RETURN(page.total, store_->CountProblems(f));
    }
    return page;
}

Result<ProblemDetail> Service::GetProblem(const Actor& actor, domain::ProblemId id) {
    auto problem = store_->GetProblem(id);
    if (!problem.ok()) return detail::MissingOr(problem.status(), "problem " + std::to_string(id) + " does not exist");
    const ProblemAccess access = AccessToProblem(actor, *problem);  // issue 5: visibility follows the links
    if (access == ProblemAccess::kNone) return NotFound("problem " + std::to_string(id) + " does not exist");
    ProblemDetail d;
    d.access = access;
    d.problem = std::move(problem).value();
    ASSIGN_OR_RETURN(d.owner, CachedOrg(d.problem.owner_org_id));
    if (d.problem.category_id) {
        ASSIGN_OR_RETURN(d.category, GetCategory(*d.problem.category_id));
    }
    ASSIGN_OR_RETURN(d.opinion_ids, store_->OpinionsOfProblem(id));
    ASSIGN_OR_RETURN(auto co_owners, store_->ListCoOwners(id));
    for (const auto& c : co_owners) d.co_owner_ids.push_back(c.org_id);
    if (d.problem.campaign_id) {  // campaigns (issue 5): shown even when the campaign's owner lies elsewhere
        ASSIGN_OR_RETURN(d.campaign, store_->GetCampaign(*d.problem.campaign_id));
        ASSIGN_OR_RETURN(d.special_items, store_->GetSpecialItems(d.problem.special_item_ids));
    }
    // Root-cause analysis (issue 12): shown to every reader of the problem.
    ASSIGN_OR_RETURN(d.cause_analysis, store_->GetCauseAnalysis(id));
    if (d.cause_analysis) {
        for (domain::CauseCategoryId cid : d.cause_analysis->category_ids) {
            ASSIGN_OR_RETURN(auto c, store_->GetCauseCategory(cid));
            d.causes.push_back(std::move(c));
        }
    }
    if (access == ProblemAccess::kFull) {
        ASSIGN_OR_RETURN(d.escalations, store_->ListEscalationsOfProblem(id));
    } else {  // partial access: the summary, and only the opinions in scope
        std::vector<domain::OpinionId> own;
        for (domain::OpinionId o : d.opinion_ids) {
            if (auto op = store_->GetOpinion(o); op.ok() && InScope(actor, op->org_id)) own.push_back(o);
        }
        d.opinion_ids = std::move(own);
    }
    ASSIGN_OR_RETURN(auto tasks, store_->ListTasksOfProblem(id));
    {
        // Cascade children count inside their parent's roll-up, not again on their own (issue 5).
        std::vector<domain::Task> top;
        for (const auto& t : tasks) {
            if (!t.parent_task_id) top.push_back(t);
        }
        d.progress = domain::ProblemProgress(top, d.problem.round);
    }
    d.task_count = static_cast<int>(std::count_if(tasks.begin(), tasks.end(), [&](const domain::Task& t) {
        return t.round == d.problem.round && t.status != domain::TaskStatus::kWithdrawn;
    }));
    return d;
}

Result<Problem> Service::CreateProblem(const Actor& actor, const ProblemDraft& draft) {
    if (!InScope(actor, draft.owner_org_id)) {
        return NotFound("owner_org_id: org " + std::to_string(draft.owner_org_id) + " does not exist");
    }
    if (!CanEditProblems(actor, draft.owner_org_id)) {
        return PermissionDenied("registering a problem needs the clerk or reviewer role over its owner org");
    }
    Problem p;
    p.title = draft.title;
    p.description = draft.description;
    p.source = draft.source;
    p.category_id = draft.category_id;
    p.severity = draft.severity;
    p.owner_org_id = draft.owner_org_id;
    p.status = domain::ProblemStatus::kRegistered;
    p.created_at = NowSeconds();
    p.updated_at = p.created_at;
    p.due_at = draft.due_at;
    RETURN_IF_ERROR(domain::ValidateProblem(p));
    if (p.category_id) RETURN_IF_ERROR(GetCategory(*p.category_id));
    RETURN_IF_ERROR(ApplyProblemTags(actor, p, draft.campaign_id, draft.special_item_ids));
    std::vector<domain::Opinion> opinions;
    for (domain::OpinionId oid : draft.opinion_ids) {
        auto o = store_->GetOpinion(oid);
        if (!o.ok() || !InScope(actor, o->org_id)) {
            return NotFound("opinion_ids: opinion " + std::to_string(oid) + " does not exist");
        }
        if (o->problem_id) {
            return FailedPrecondition("opinion_ids: opinion " + std::to_string(oid) + " already belongs to problem " +
                                      std::to_string(*o->problem_id));
        }
        // The opinion's accept transition (issue 3): only a received opinion can become a problem.
        if (auto next = domain::NextOpinionStatus(o->status, domain::OpinionAction::kAccept); !next.ok()) {
            return FailedPrecondition("opinion_ids: " + next.status().message());
        }
        opinions.push_back(std::move(o).value());
    }
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertProblem(p));
        auto event = MakeEvent(actor, "problem", p.id, "create", std::nullopt, domain::ToJson(p));
        RETURN_IF_ERROR(tx.AppendEvent(event));
        for (auto& o : opinions) {
            auto before = domain::ToJson(o);
            o.problem_id = p.id;
            o.status = domain::OpinionStatus::kAccepted;
            RETURN_IF_ERROR(tx.LinkOpinion(o.id, p.id, o.version));
            ++o.version;
            auto link = MakeEvent(actor, "opinion", o.id, "accept", before, domain::ToJson(o));
            RETURN_IF_ERROR(tx.AppendEvent(link));
        }
        return Status::Ok();
    }));
    return p;
}

Result<Problem> Service::UpdateProblem(const Actor& actor, domain::ProblemId id, const ProblemPatch& patch) {
    ASSIGN_OR_RETURN(ProblemDetail detail, GetProblem(actor, id));
    if (!CanEditProblems(actor, detail.problem.owner_org_id)) {
        return PermissionDenied("editing a problem needs the clerk or reviewer role over its owner org");
    }
    Problem before = detail.problem;
    Problem p = before;
    if (patch.version != before.version) {
        return Aborted("problem " + std::to_string(id) + " was changed by someone else: you sent version " +
                       std::to_string(patch.version) + ", the current version is " + std::to_string(before.version) +
                       "; reload and apply your change again");
    }
    if (patch.title) p.title = *patch.title;
    if (patch.description) p.description = *patch.description;
    if (patch.category_id) p.category_id = *patch.category_id;
    if (patch.severity) p.severity = *patch.severity;
    if (patch.due_at) p.due_at = *patch.due_at;
    p.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateProblem(p));
    if (p.category_id && p.category_id != before.category_id) RETURN_IF_ERROR(GetCategory(*p.category_id));
    if (patch.campaign_id || patch.special_item_ids) {  // campaigns (issue 5)
        const std::optional<domain::CampaignId> campaign = patch.campaign_id ? *patch.campaign_id : before.campaign_id;
        std::vector<domain::SpecialItemId> items;
        if (patch.special_item_ids) {
            items = *patch.special_item_ids;
        } else if (campaign == before.campaign_id) {
            items = before.special_item_ids;
        }  // else: another campaign (or none) drops the old campaign's items
        RETURN_IF_ERROR(ApplyProblemTags(actor, p, campaign, items));
    }
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateProblem(p));  // re-checks the version inside the transaction
        auto event = MakeEvent(actor, "problem", id, "update", domain::ToJson(before), domain::ToJson(p));
        return tx.AppendEvent(event);
    }));
    return p;
}

// ---- opinions ----

Result<Page<domain::Opinion>> Service::ListOpinions(const Actor& actor, const OpinionQuery& query) {
    RETURN_IF_ERROR(CheckLimit(query.limit));
    store::OpinionFilter f;
    ASSIGN_OR_RETURN(f.subtree_paths, ScopePaths(actor, query.org_id));
    f.statuses = query.statuses;
    f.channel = query.channel;
    if (query.category_id) {
        ASSIGN_OR_RETURN(domain::Category category, GetCategory(*query.category_id));
        f.category_path = category.path;
    }
    f.replied = query.replied;
    f.received_from = query.received_from;
    f.received_to = query.received_to;
    if (query.cursor) {
        ASSIGN_OR_RETURN(f.before_id, DecodeCursor(*query.cursor));
    }
    f.limit = ClampLimit(query.limit) + 1;
    ASSIGN_OR_RETURN(auto items, store_->ListOpinions(f));
    return MakePage(std::move(items), query.limit);
}

Result<domain::Opinion> Service::GetOpinion(const Actor& actor, domain::OpinionId id) {
    auto o = store_->GetOpinion(id);
    if (!o.ok()) return detail::MissingOr(o.status(), "opinion " + std::to_string(id) + " does not exist");
    if (!InScope(actor, o->org_id)) return NotFound("opinion " + std::to_string(id) + " does not exist");
    return o;
}

Result<domain::Opinion> Service::CreateOpinion(const Actor& actor, const OpinionDraft& draft) {
    ASSIGN_OR_RETURN(domain::Opinion o, NewOpinion(actor, draft));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertOpinion(o));
        auto event = MakeEvent(actor, "opinion", o.id, "create", std::nullopt, domain::ToJson(o));
        return tx.AppendEvent(event);
    }));
    return o;
}

Result<domain::Opinion> Service::NewOpinion(const Actor& actor, const OpinionDraft& draft) const {
    if (!InScope(actor, draft.org_id)) return NotFound("org_id: org " + std::to_string(draft.org_id) + " does not exist");
    if (!HasRole(actor, domain::Role::kClerk, draft.org_id)) {
        return PermissionDenied("registering an opinion needs the clerk role over its org");
    }
    domain::Opinion o;
    o.channel = draft.channel;
    o.kind = draft.kind;
    o.status = domain::OpinionStatus::kReceived;
    o.received_at = draft.received_at.value_or(NowSeconds());
    o.title = draft.title;
    o.text = draft.text;
    o.org_id = draft.org_id;
    o.division_code = draft.division_code;
    o.submitter = draft.submitter;
    o.category_id = draft.category_id;
    o.sla_class = draft.sla_class;
    StampOpinionSla(o);
    RETURN_IF_ERROR(domain::ValidateOpinion(o));
    return o;
}

// ---- figures ----

// ---- figures: the roll-up index ----

Result<std::optional<domain::CategoryId>> Service::TopCategory(std::optional<domain::CategoryId> id) {
    if (!id) return std::optional<domain::CategoryId>();
    ASSIGN_OR_RETURN(auto catalogue, Catalogue(*id));
    auto it = catalogue->top.find(*id);
    if (it == catalogue->top.end()) return NotFound("category " + std::to_string(*id) + " does not exist");
    return std::optional<domain::CategoryId>(it->second);
}

namespace {
index::ProblemFacts FactsOf(const store::ProblemSummary& p, std::optional<domain::CategoryId> top) {
    index::ProblemFacts f;
    f.id = p.id;
    f.owner_org_id = p.owner_org_id;
    f.status = p.status;
    f.top_category_id = top;
    f.source = p.source;
    f.created_at = p.created_at;
    f.due_at = p.due_at;
    f.closed_at = p.closed_at;
    f.campaign_id = p.campaign_id;
    f.special_item_ids = p.special_item_ids;
    return f;
}

index::OrgFacts OrgFactsOf(const domain::Org& org) { return {org.kind, org.batch}; }
}  // namespace

Status Service::RebuildRollup() {
    std::lock_guard lock(rollup_mutex_);
    ASSIGN_OR_RETURN(auto orgs, store_->ListOrgs());
    // The three indexes read disjoint facts, each through its own pooled reader connection (a SQLite WAL
    // reader or a PostgreSQL session sees the last commit; no write can commit meanwhile that the caller has
    // not accounted for, see OnCommit): the side-figures and task indexes are read and built on two threads
    // while this one reads the problems and builds the roll-up index, so a start at province scale waits for
    // the longest of the three rather than their sum (docs/PERFORMANCE.md#province-startup-populated). Each
    // thread assigns only its own member (side_, task_index_); rollup_mutex_ stays held until all three have
    // ended, and a failure of any leaves rollup_stale_ as it was.
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto seconds_since = [start] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    double side_s = 0, tasks_s = 0, problems_s = 0;
    auto side = std::async(std::launch::async, [&] {
        Status st = RebuildSideIndex(orgs);
        side_s = seconds_since();
        return st;
    });
    auto tasks = std::async(std::launch::async, [&] {
        Status st = RebuildTaskIndex(orgs);
        tasks_s = seconds_since();
        return st;
    });
    std::size_t problem_count = 0;
    auto problems = [&]() -> Status {
        ASSIGN_OR_RETURN(auto summaries, store_->ListProblemSummaries({}));
        ASSIGN_OR_RETURN(auto catalogue, Catalogue());
        std::vector<index::ProblemFacts> facts;
        facts.reserve(summaries.size());
        for (const auto& p : summaries) {
            std::optional<domain::CategoryId> top;
            if (p.category_id) {
                if (auto it = catalogue->top.find(*p.category_id); it != catalogue->top.end()) {
                    top = it->second;
                } else {
                    ASSIGN_OR_RETURN(top, TopCategory(p.category_id));  // added since: read again
                }
            }
            facts.push_back(FactsOf(p, top));
        }
        problem_count = summaries.size();
        summaries = {};
        if (orgs.empty()) {
            rollup_.reset();  // an empty database (before `rectify init`): nothing to count yet
            return Status::Ok();
        }
        ASSIGN_OR_RETURN(auto built, index::RollupIndex::Build(orgs, facts));
        rollup_ = std::move(built);
        return Status::Ok();
    }();
    problems_s = seconds_since();
    const Status side_built = side.get();
    const Status tasks_built = tasks.get();
    if (!orgs.empty()) {
        // One line per rebuild (at start, and after a failed update marked the indexes stale): what a start at
        // scale spends its time on. Seconds of wall time from the rebuild's start to each part's end.
        spdlog::info("indexes rebuilt in {:.2f} s: roll-up {:.2f} s ({} orgs, {} problems), side figures {:.2f} s, "
                     "tasks {:.2f} s",
                     seconds_since(), problems_s, orgs.size(), problem_count, side_s, tasks_s);
    }
    RETURN_IF_ERROR(problems);
    RETURN_IF_ERROR(side_built);
    RETURN_IF_ERROR(tasks_built);
    rollup_stale_ = false;
    return Status::Ok();
}

Status Service::ApplyToRollup(const std::vector<store::Event>& events) {
    std::lock_guard lock(rollup_mutex_);
    if (rollup_stale_ || !rollup_) return FailedPrecondition("the roll-up index needs a rebuild");
    RETURN_IF_ERROR(ApplyToSideIndex(events));
    std::vector<domain::ProblemId> problem_ids;
    for (const store::Event& e : events) {
        if (e.entity == "org" && (e.action == "create" || e.action == "import" || e.action == "move")) {
            ASSIGN_OR_RETURN(domain::Org org, store_->GetOrg(e.entity_id));
            if (!org.parent_id) return FailedPrecondition("a second root org");
            if (e.action == "move") {
                RETURN_IF_ERROR(rollup_->MoveOrg(org.id, *org.parent_id));
            } else if (!rollup_->ContainsOrg(org.id)) {
                RETURN_IF_ERROR(rollup_->AddOrg(org.id, *org.parent_id, OrgFactsOf(org)));
            } else {
                RETURN_IF_ERROR(rollup_->SetOrgFacts(org.id, OrgFactsOf(org)));  // a re-import may change them
            }
        } else if (e.entity == "problem") {
            problem_ids.push_back(e.entity_id);
        }
    }
    RETURN_IF_ERROR(ApplyToTaskIndex(events));
    if (problem_ids.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(auto problems, store_->ListProblemSummaries(problem_ids));
    for (const auto& p : problems) {
        ASSIGN_OR_RETURN(auto top, TopCategory(p.category_id));
        index::ProblemFacts f = FactsOf(p, top);
        Status st = rollup_->Update(f);
        if (st.code() == StatusCode::kNotFound) st = rollup_->Insert(f);
        RETURN_IF_ERROR(st);
    }
    return Status::Ok();
}

Status Service::RebuildTaskIndex(const std::vector<domain::Org>& orgs) {
    if (orgs.empty()) {
        task_index_.reset();
        return Status::Ok();
    }
    store::TaskActivityFilter all;
    all.all = true;
    ASSIGN_OR_RETURN(auto tasks, store_->ListTaskActivity(all));
    ASSIGN_OR_RETURN(auto steps, store_->ListStepsAt(domain::SupervisionKind::kSupervise, {}));
    std::vector<index::OpenTaskFacts> open;
    open.reserve(tasks.size());
    for (const auto& t : tasks) open.push_back({t.id, t.org_id, t.last_activity, t.due_at});
    std::vector<index::StepFacts> step_facts;
    step_facts.reserve(steps.size());
    for (const auto& st : steps) step_facts.push_back({st.id, st.org_id, st.at});
    ASSIGN_OR_RETURN(auto built, index::TaskIndex::Build(orgs, open, step_facts));
    task_index_ = std::move(built);
    return Status::Ok();
}

Status Service::ApplyToTaskIndex(const std::vector<store::Event>& events) {
    if (!task_index_) return FailedPrecondition("the task index needs a rebuild");
    store::TaskActivityFilter changed;
    std::vector<domain::TaskId> supervised;
    const std::string supervise(domain::ToString(domain::SupervisionKind::kSupervise));
    for (const store::Event& e : events) {
        if (e.entity == "org" && (e.action == "create" || e.action == "import" || e.action == "move")) {
            ASSIGN_OR_RETURN(domain::Org org, store_->GetOrg(e.entity_id));
            if (!org.parent_id) return FailedPrecondition("a second root org");
            if (e.action == "move") {
                RETURN_IF_ERROR(task_index_->MoveOrg(org.id, *org.parent_id));
            } else if (!task_index_->ContainsOrg(org.id)) {
                RETURN_IF_ERROR(task_index_->AddOrg(org.id, *org.parent_id));
            }
        } else if (e.entity == "task") {
            changed.ids.push_back(e.entity_id);
            if (e.action == "cascade") changed.parent_ids.push_back(e.entity_id);  // children without own events
            if (e.action == supervise) supervised.push_back(e.entity_id);
        }
    }
    if (changed.ids.empty()) return Status::Ok();
    for (auto* ids : {&changed.ids, &changed.parent_ids, &supervised}) {
        std::sort(ids->begin(), ids->end());
        ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    }
    ASSIGN_OR_RETURN(auto open, store_->ListTaskActivity(changed));
    std::unordered_set<domain::TaskId> still_open;
    for (const auto& t : open) {
        RETURN_IF_ERROR(task_index_->PutOpenTask({t.id, t.org_id, t.last_activity, t.due_at}));
        still_open.insert(t.id);
    }
    for (domain::TaskId id : changed.ids) {
        if (!still_open.count(id)) RETURN_IF_ERROR(task_index_->DropTask(id));
    }
    if (supervised.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(auto steps, store_->ListStepsAt(domain::SupervisionKind::kSupervise, supervised));
    for (const auto& st : steps) RETURN_IF_ERROR(task_index_->AddStep({st.id, st.org_id, st.at}));
    return Status::Ok();
}

Status Service::TaskFiguresFromIndex(OrgStats& s, UnixSeconds at) {
    std::shared_ptr<index::TaskIndex> tasks;
    {
        std::lock_guard lock(rollup_mutex_);
        tasks = task_index_;
    }
    if (!tasks) return Unavailable("the task index is not built (the database has no orgs)");
    // The stalled work queue's rule (supervision.cpp, WorkQueue::kStalled), counted for this subtree; and
    // issue 8's tasks put under supervision (督办) this calendar month in the display zone, up to `at`.
    s.stalled_days = supervision_.warnings.stalled_days;
    const UnixSeconds stalled_before = at - static_cast<std::int64_t>(s.stalled_days) * kSecondsPerDay;
    const auto month = domain::CivilOf(LocalDayNumber(at));
    ASSIGN_OR_RETURN(auto f, tasks->Query(s.org.id, stalled_before, FromLocal(month.year, month.month, 1, 0, 0, 0),
                                          at + 1));
    s.stalled = f.stalled;
    s.supervised_this_month = f.supervised;
    return Status::Ok();
}

std::optional<Service::DeadlineTotals> Service::DeadlineTotalsFromIndex(WorkQueue queue,
                                                                        const std::vector<domain::OrgId>& roots,
                                                                        UnixSeconds now, UnixSeconds due_before) {
    if (queue != WorkQueue::kOverdue && queue != WorkQueue::kDueSoon) return std::nullopt;
    std::shared_ptr<index::TaskIndex> tasks;
    {
        std::lock_guard lock(rollup_mutex_);
        if (rollup_stale_) return std::nullopt;
        tasks = task_index_;
    }
    if (!tasks) return std::nullopt;
    auto count = [&](domain::OrgId root) -> std::optional<std::int64_t> {
        auto counts = tasks->CountDeadlines(root, now, due_before);
        if (!counts.ok()) return std::nullopt;
        return queue == WorkQueue::kOverdue ? counts->overdue : counts->due_soon;
    };
    DeadlineTotals totals;
    for (domain::OrgId root : roots) {
        auto n = count(root);
        if (!n) return std::nullopt;
        totals.subtrees += *n;
    }
    auto all = count(Tree()->Root());
    if (!all) return std::nullopt;
    totals.all = *all;
    return totals;
}

void Service::OnCommit(const std::vector<store::Event>& events) {
    // Runs inside the store's write lock, in this process's commit order (store.hpp: SetCommitObserver).
    // Another process may have committed events between the last applied one and these (their ids come
    // first: ids are taken and committed in one order, docs/ARCHITECTURE.md "Several servers on one
    // PostgreSQL"): read those from the log first, so everything is applied in id order, once.
    std::lock_guard lock(apply_mutex_);
    if (events.empty()) return;
    if (events.front().id > applied_event_id_ + 1) {
        if (auto caught = CatchUpLocked(); !caught.ok()) {
            spdlog::warn("could not read the events before {} from the log: {}; the roll-up index is rebuilt",
                         events.front().id, caught.status().ToString());
            std::lock_guard rollup_lock(rollup_mutex_);
            rollup_stale_ = true;
        }
    }
    std::vector<store::Event> fresh;
    for (const auto& e : events) {
        if (e.id > applied_event_id_) fresh.push_back(e);  // the catch-up may have applied them already
    }
    if (fresh.empty()) return;
    // This process's writers reload the tree after their write, so the origin skips that.
    (void)ApplyEvents(fresh, EventOrigin::kThisProcess);
}

Status Service::ApplyEvents(const std::vector<store::Event>& events, EventOrigin origin) {
    if (events.empty()) return Status::Ok();
    bool org_changed = false;
    bool access_changed = false;
    for (const auto& e : events) {
        if (e.entity == "opinion" || e.entity == "org") ++hot_generation_;  // docs/TEXT.md#hot-issue-cache
        if (e.entity == "org") org_changed = true;
        // Who a token is and what it may reach (detail::TokenCache).
        if (e.entity == "user" || e.entity == "api_token" || e.entity == "supervision_team" || e.entity == "org") {
            access_changed = true;
        }
    }
    if (access_changed) accounts_->tokens.Invalidate();
    if (org_changed) org_cache_->Invalidate();
    if (org_changed && origin == EventOrigin::kOtherProcess) RETURN_IF_ERROR(ReloadTree());
    // Every change to a problem or an org appends an event naming it, so the events say what to re-read.
    // Should applying them fail (it should not), the index is marked stale and rebuilt at the next query.
    if (Status st = ApplyToRollup(events); !st.ok()) {
        std::lock_guard lock(rollup_mutex_);
        rollup_stale_ = true;
    }
    applied_event_id_ = events.back().id;
    return Status::Ok();
}

Result<std::int64_t> Service::CatchUpLocked() {
    constexpr int kBatch = 1000;
    std::int64_t applied = 0;
    for (;;) {
        ASSIGN_OR_RETURN(auto batch, store_->ListEventsAfter(applied_event_id_, kBatch));
        if (batch.empty()) return applied;
        RETURN_IF_ERROR(ApplyEvents(batch, EventOrigin::kOtherProcess));
        applied += static_cast<std::int64_t>(batch.size());
        if (batch.size() < static_cast<std::size_t>(kBatch)) return applied;
    }
}

Result<std::int64_t> Service::CatchUp() {
    std::lock_guard lock(apply_mutex_);
    return CatchUpLocked();
}

std::int64_t Service::AppliedEventId() const {
    std::lock_guard lock(apply_mutex_);
    return applied_event_id_;
}

void Service::StartFollowing(std::chrono::milliseconds fallback_poll) {
    std::lock_guard lock(follower_mutex_);
    if (!store_->SharedByProcesses() || follower_.joinable()) return;
    if (fallback_poll.count() <= 0) fallback_poll = std::chrono::seconds(1);
    follower_ = std::jthread([this, fallback_poll](std::stop_token stop) {
        using Clock = std::chrono::steady_clock;
        // Waits in slices of at most 250 ms, so StopFollowing returns soon.
        const auto slice = std::min<std::chrono::milliseconds>(fallback_poll, std::chrono::milliseconds(250));
        auto last_catch_up = Clock::now();
        bool reported = false;  // log a failing store once, not every slice
        while (!stop.stop_requested()) {
            auto woke = store_->WaitForCommit(slice);
            if (!woke.ok()) {
                if (!reported) spdlog::warn("following other servers: {}", woke.status().ToString());
                reported = true;
                std::this_thread::sleep_for(slice);
            }
            if (stop.stop_requested()) break;
            const bool due = Clock::now() - last_catch_up >= fallback_poll;
            if (!(woke.ok() && *woke) && !due) continue;
            last_catch_up = Clock::now();
            if (auto n = CatchUp(); !n.ok()) {
                if (!reported) spdlog::warn("following other servers: {}", n.status().ToString());
                reported = true;
            } else if (woke.ok()) {
                reported = false;
            }
        }
    });
}

void Service::StopFollowing() {
    std::lock_guard lock(follower_mutex_);
    if (!follower_.joinable()) return;
    follower_.request_stop();
    follower_.join();
}

Result<OrgStats> Service::StatsFromFigures(domain::Org org, const index::Figures& f, const StatsQuery& query,
                                           UnixSeconds at) {
    OrgStats s;
    s.org = std::move(org);
    s.at = at;
    s.problems = f.problems;
    auto statuses = domain::AllNames<domain::ProblemStatus>();
    for (std::size_t i = 0; i < statuses.size(); ++i) s.by_status.emplace_back(std::string(statuses[i]), f.by_status[i]);
    auto sources = domain::AllNames<domain::ProblemSource>();
    for (std::size_t i = 0; i < sources.size(); ++i) s.by_source.emplace_back(std::string(sources[i]), f.by_source[i]);
    ASSIGN_OR_RETURN(auto catalogue, Catalogue());
    auto path_of = [&](std::optional<domain::CategoryId> id) -> Result<std::string> {
        if (!id) return std::string();
        if (!catalogue->Find(*id)) {
            ASSIGN_OR_RETURN(catalogue, Catalogue(*id));
        }
        const domain::Category* c = catalogue->Find(*id);
        return c ? c->path : std::string();
    };
    if (query.category_depth == 1) {
        for (const auto& c : f.by_category) {
            ASSIGN_OR_RETURN(auto path, path_of(c.category_id));
            s.by_category.push_back({c.category_id, std::move(path), c.count});
        }
    } else {
        ASSIGN_OR_RETURN(store::SubtreeFigures fig, store_->Figures(s.org.path, query.category_depth));
        for (const auto& [id, count] : fig.by_category) {
            ASSIGN_OR_RETURN(auto path, path_of(id));
            s.by_category.push_back({id, std::move(path), count});
        }
    }
    std::sort(s.by_category.begin(), s.by_category.end(), [](const auto& a, const auto& b) {
        return a.count != b.count ? a.count > b.count : a.path < b.path;
    });
    s.closed = f.by_status[static_cast<std::size_t>(domain::ProblemStatus::kClosed)];
    s.open = f.open;
    s.completion = MakeRate(f.completion.numerator, f.completion.denominator);
    s.overdue = f.overdue;
    s.due_soon = f.due_soon;
    s.overdue_rate = MakeRate(f.overdue_rate.numerator, f.overdue_rate.denominator);
    s.closed_on_time = MakeRate(f.on_time.numerator, f.on_time.denominator);
    s.median_days_to_close = f.median_days_to_close;
    s.p90_days_to_close = f.p90_days_to_close;
    for (const auto& w : f.weekly) s.weekly.push_back({w.week_start, w.created, w.closed});
    RETURN_IF_ERROR(SideFiguresInto(s));
    RETURN_IF_ERROR(TaskFiguresFromIndex(s, at));
    return s;
}

// ---- figures: the side-figures index (opinion and link figures) ----

Status Service::RebuildSideIndex(const std::vector<domain::Org>& orgs) {
    if (orgs.empty()) {
        side_.reset();
        return Status::Ok();
    }
    ASSIGN_OR_RETURN(auto opinion_rows, store_->ListOpinionFacts({}));
    ASSIGN_OR_RETURN(auto problem_rows, store_->ListProblemLinks({}));
    ASSIGN_OR_RETURN(auto cascade_rows, store_->ListCascadeFacts({}));
    std::vector<index::OpinionFacts> opinions;
    opinions.reserve(opinion_rows.size());
    for (const auto& o : opinion_rows) opinions.push_back({o.id, o.org_id, o.replied, o.satisfaction});
    opinion_rows = {};
    std::vector<index::ProblemLinkFacts> problems;
    for (auto& p : problem_rows) {
        problems.push_back({p.id, p.owner_org_id, std::move(p.co_owner_org_ids), std::move(p.escalation_origin_org_ids)});
    }
    std::vector<index::CascadeFacts> cascades;
    for (auto& c : cascade_rows) cascades.push_back({c.id, c.org_id, c.created, std::move(c.child_task_orgs)});
    ASSIGN_OR_RETURN(auto built, index::SideIndex::Build(orgs, opinions, problems, cascades));
    side_ = std::move(built);
    return Status::Ok();
}

Status Service::ApplyToSideIndex(const std::vector<store::Event>& events) {
    if (!side_) return FailedPrecondition("the side-figures index needs a rebuild");
    std::vector<domain::OpinionId> opinion_ids;
    std::vector<domain::ProblemId> problem_ids;
    std::vector<domain::TaskId> cascaded_task_ids;
    for (const store::Event& e : events) {
        if (e.entity == "org" && (e.action == "create" || e.action == "import" || e.action == "move")) {
            ASSIGN_OR_RETURN(domain::Org org, store_->GetOrg(e.entity_id));
            if (!org.parent_id) return FailedPrecondition("a second root org");
            if (e.action == "move") {
                RETURN_IF_ERROR(side_->MoveOrg(org.id, *org.parent_id));
            } else if (!side_->ContainsOrg(org.id)) {
                RETURN_IF_ERROR(side_->AddOrg(org.id, *org.parent_id));
            }
        } else if (e.entity == "opinion") {
            opinion_ids.push_back(e.entity_id);
        } else if (e.entity == "problem") {
            problem_ids.push_back(e.entity_id);
        } else if (e.entity == "task" && e.action == "cascade") {  // the only change to cascades and their children
            cascaded_task_ids.push_back(e.entity_id);
        }
    }
    // An empty id list would read every row: only ask for the ids the events name.
    if (!opinion_ids.empty()) {
        ASSIGN_OR_RETURN(auto rows, store_->ListOpinionFacts(opinion_ids));
        for (const auto& o : rows) RETURN_IF_ERROR(side_->PutOpinion({o.id, o.org_id, o.replied, o.satisfaction}));
    }
    if (!problem_ids.empty()) {
        ASSIGN_OR_RETURN(auto rows, store_->ListProblemLinks(problem_ids));
        for (auto& p : rows) {
            RETURN_IF_ERROR(side_->PutProblem(
                {p.id, p.owner_org_id, std::move(p.co_owner_org_ids), std::move(p.escalation_origin_org_ids)}));
        }
    }
    if (!cascaded_task_ids.empty()) {
        ASSIGN_OR_RETURN(auto rows, store_->ListCascadeFacts(cascaded_task_ids));
        for (auto& c : rows) RETURN_IF_ERROR(side_->PutCascade({c.id, c.org_id, c.created, std::move(c.child_task_orgs)}));
    }
    return Status::Ok();
}

Status Service::SideFiguresInto(OrgStats& s) {
    std::shared_ptr<index::SideIndex> side;
    {
        std::lock_guard lock(rollup_mutex_);
        side = side_;
    }
    if (!side) return Unavailable("the side-figures index is not built (the database has no orgs)");
    ASSIGN_OR_RETURN(index::SideFigures f, side->Query(s.org.id));
    s.opinions = f.opinions;
    s.opinions_replied = MakeRate(f.opinions_replied, f.opinions);
    s.satisfaction = MakeRate(f.opinions_satisfied + (supervision_.opinion_sla.basically_satisfied_counts
                                                          ? f.opinions_basically_satisfied
                                                          : 0),
                              f.opinions_rated);
    s.co_owned = f.co_owned;
    s.escalated_up = f.escalated_up;
    s.cascaded_down = f.cascaded_down;
    s.cascaded_in = f.cascaded_in;
    std::vector<domain::OrgId> origins;
    origins.reserve(f.escalated_from.size());
    for (const auto& entry : f.escalated_from) origins.push_back(entry.first);
    ASSIGN_OR_RETURN(auto names, store_->OrgNames(origins));  // one query per 500 origins, not one each
    for (const auto& [origin, count] : f.escalated_from) {
        auto name = names.find(origin);
        s.escalated_from.push_back({origin, name != names.end() ? name->second : "", count});
    }
    return Status::Ok();
}

namespace {
// Checks a StatsQuery and turns it into the index's query (root and now filled in by the caller).
Result<index::FiguresQuery> IndexQuery(const StatsQuery& q) {
    if (q.category_depth < 1 || q.category_depth > 3) return InvalidArgument("category_depth: must be 1, 2 or 3");
    bool filtered = q.category_id || q.uncategorised || q.source || q.campaign_id || q.special_item_id || q.batch ||
                    q.org_kind || q.created_from || q.created_to;
    if (q.category_depth > 1 && filtered) {
        return InvalidArgument("category_depth: 2 and 3 cannot be combined with filters (category_id, source, "
                               "campaign_id, special_item_id, batch, org_kind, created_from, created_to)");
    }
    if (q.batch && (*q.batch < 0 || *q.batch > 2)) return InvalidArgument("batch: must be 0, 1 or 2");
    if (q.created_from && q.created_to && *q.created_to < *q.created_from) {
        return InvalidArgument("created_to: must not be before created_from");
    }
    if (q.category_id && q.uncategorised) return InvalidArgument("category_id: give a category or \"none\", not both");
    if (q.weeks < 0 || q.weeks > index::kMaxWeeks) {
        return InvalidArgument("weeks: must be between 0 and " + std::to_string(index::kMaxWeeks));
    }
    if (q.due_soon_days < 0 || q.due_soon_days > 365) return InvalidArgument("due_soon_days: must be between 0 and 365");
    index::FiguresQuery iq;
    iq.weeks = q.weeks;
    iq.due_soon_seconds = static_cast<std::int64_t>(q.due_soon_days) * kSecondsPerDay;
    if (q.category_id || q.uncategorised) iq.category = index::CategoryFilter{q.category_id};
    iq.source = q.source;
    iq.campaign = q.campaign_id;
    iq.special_item = q.special_item_id;
    iq.batch = q.batch;
    iq.org_kind = q.org_kind;
    iq.created_from = q.created_from;
    iq.created_to = q.created_to;
    return iq;
}
}  // namespace

Status Service::BuildRollupIndex() { return Rollup().status(); }

Result<std::shared_ptr<index::RollupIndex>> Service::Rollup() {
    bool stale = false;
    {
        std::lock_guard lock(rollup_mutex_);
        stale = rollup_stale_ || !rollup_;
    }
    if (stale) {
        Status st = RebuildRollup();
        if (!st.ok()) return Unavailable("the roll-up index could not be rebuilt from the store: " + st.message());
    }
    std::lock_guard lock(rollup_mutex_);
    if (!rollup_) return Unavailable("the roll-up index is not built (the database has no orgs)");
    return rollup_;
}

Result<index::FiguresQuery> Service::CheckStatsQuery(const StatsQuery& query) {
    ASSIGN_OR_RETURN(index::FiguresQuery iq, IndexQuery(query));
    if (query.category_id) {
        std::lock_guard lock(rollup_mutex_);
        auto found = TopCategory(query.category_id);
        if (!found.ok()) {
            if (found.status().code() != StatusCode::kNotFound) return found.status();
            return InvalidArgument("category_id: " + found.status().message());
        }
        std::optional<domain::CategoryId> top = *found;
        if (top != query.category_id) {
            return InvalidArgument("category_id: " + std::to_string(*query.category_id) +
                                   " is not a top-level category (filter by its top-level category " +
                                   std::to_string(*top) + ")");
        }
    }
    iq.now = query.at.value_or(NowSeconds());
    return iq;
}

Result<OrgStats> Service::Stats(const Actor& actor, domain::OrgId org_id, const StatsQuery& query) {
    ASSIGN_OR_RETURN(index::FiguresQuery iq, CheckStatsQuery(query));
    RETURN_IF_ERROR(CheckCampaignFilter(actor, query.campaign_id, query.special_item_id));
    ASSIGN_OR_RETURN(Org org, GetOrgInScope(actor, org_id));
    ASSIGN_OR_RETURN(auto rollup, Rollup());
    iq.root = org.id;
    ASSIGN_OR_RETURN(index::Figures f, rollup->Query(iq));
    return StatsFromFigures(std::move(org), f, query, iq.now);
}

Result<std::vector<OrgStats>> Service::ChildStats(const Actor& actor, domain::OrgId org_id, const StatsQuery& query) {
    ASSIGN_OR_RETURN(index::FiguresQuery iq, CheckStatsQuery(query));
    RETURN_IF_ERROR(CheckCampaignFilter(actor, query.campaign_id, query.special_item_id));
    RETURN_IF_ERROR(GetOrgInScope(actor, org_id));
    ASSIGN_OR_RETURN(auto rollup, Rollup());
    iq.root = org_id;
    ASSIGN_OR_RETURN(auto rows, rollup->QueryChildren(iq));
    std::vector<OrgStats> out;
    for (const auto& [child_id, figures] : rows) {
        ASSIGN_OR_RETURN(Org child, CachedOrg(child_id));
        ASSIGN_OR_RETURN(OrgStats s, StatsFromFigures(std::move(child), figures, query, iq.now));
        out.push_back(std::move(s));
    }
    return out;
}

Result<std::vector<store::Event>> Service::History(const Actor& actor, const std::string& entity, std::int64_t id) {
    if (entity == "org") {
        RETURN_IF_ERROR(GetOrgInScope(actor, id));
    } else if (entity == "problem") {
        ASSIGN_OR_RETURN(ProblemDetail detail, GetProblem(actor, id));
        if (detail.access != ProblemAccess::kFull) {  // issue 5: partial access does not see escalations
            ASSIGN_OR_RETURN(auto events, store_->ListEvents(entity, id));
            std::erase_if(events, [](const store::Event& e) { return detail::IsEscalationEvent(e); });
            return events;
        }
    } else if (entity == "opinion") {
        RETURN_IF_ERROR(GetOpinion(actor, id));
    } else {
        return InvalidArgument("entity: unknown \"" + entity + "\" (allowed: org, problem, opinion)");
    }
    return store_->ListEvents(entity, id);
}

}  // namespace rectify::service
