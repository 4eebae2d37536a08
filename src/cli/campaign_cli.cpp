// `rectify campaign add|list|show|load` and `rectify campaign item add` (issue 5, docs/LINKAGE.md#campaigns):
// campaigns (主题教育 / 专项行动), their batches and special items (专项整治) for scripting and for loading a
// campaign from a JSON file (data/campaigns/). Each acts as the CLI's root actor and prints the result as
// JSON; a failure is one line on stderr and exit 1.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/detail.hpp"
#include "domain/campaign.hpp"
#include "http/campaign_api.hpp"
#include "service/json.hpp"
#include "service/service.hpp"

namespace rectify::cli::detail {
namespace {

// "START:END" (two dates YYYY-MM-DD) of --batch.
Result<domain::CampaignBatch> ParseBatch(const std::string& text, int number) {
    auto colon = text.find(':');
    if (colon == std::string::npos) {
        return InvalidArgument("--batch " + text + ": expected START:END, e.g. 2019-09-01:2020-01-31");
    }
    return domain::CampaignBatch{number, text.substr(0, colon), text.substr(colon + 1)};
}

// A campaign named on the command line: its id, or its code.
Result<service::CampaignDetail> ResolveCampaign(service::Service& svc, const domain::Actor& actor,
                                                const std::string& ref) {
    if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos) {
        return svc.GetCampaign(actor, std::stoll(ref));
    }
    return svc.FindCampaignByCode(actor, ref);
}

// The JSON of a campaign file with its org references resolved: "owner" (an org as ResolveOrg reads it:
// id, code:<division code> or a name path) becomes "owner_org_id", and each special item's "lead" becomes
// "lead_org_id". Errors: kInvalidArgument naming the member, ResolveOrg's.
Status ResolveFileOrgs(service::Service& svc, const domain::Actor& actor, nlohmann::json& body) {
    if (!body.is_object()) return InvalidArgument("the file must hold one JSON object (a campaign)");
    if (body.contains("owner")) {
        if (!body["owner"].is_string()) return InvalidArgument("/owner: expected a string (id, code:<code> or path)");
        auto org = ResolveOrg(svc, actor, body["owner"].get<std::string>());
        if (!org.ok()) return Status(org.status().code(), "/owner: " + org.status().message());
        body["owner_org_id"] = org->id;
        body.erase("owner");
    }
    if (body.contains("special_items") && body["special_items"].is_array()) {
        auto& items = body["special_items"];
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!items[i].is_object() || !items[i].contains("lead")) continue;
            const std::string at = "/special_items/" + std::to_string(i) + "/lead";
            if (items[i]["lead"].is_null()) {
                items[i].erase("lead");
                continue;
            }
            if (!items[i]["lead"].is_string()) return InvalidArgument(at + ": expected a string");
            auto org = ResolveOrg(svc, actor, items[i]["lead"].get<std::string>());
            if (!org.ok()) return Status(org.status().code(), at + ": " + org.status().message());
            items[i]["lead_org_id"] = org->id;
            items[i].erase("lead");
        }
    }
    return Status::Ok();
}

int PrintDetail(const Result<service::CampaignDetail>& r) {
    if (!r.ok()) return Fail(r.status());
    std::cout << service::ToJson(*r).dump(2) << "\n";
    return 0;
}

}  // namespace

void AddCampaignCommands(CLI::App& app, Globals& g, std::function<int()>& run) {
    auto with_service = [&g](auto body) {
        return [&g, body]() -> int {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            return body(**svc, (*svc)->RootActor("cli"));
        };
    };
    auto* campaign = app.add_subcommand("campaign", "Campaigns (主题教育), their batches and special items (专项整治).");
    campaign->require_subcommand(1);

    // campaign add
    struct AddArgs {
        std::string code, name, owner, start, end, description, source;
        std::vector<std::string> batches;
    };
    auto aa = std::make_shared<AddArgs>();
    auto* add = campaign->add_subcommand("add", "Create a campaign run by an org.");
    add->add_option("--code", aa->code, "unique code, letters, digits, '.', '_', '-'")->required();
    add->add_option("--name", aa->name, "name, e.g. 不忘初心、牢记使命主题教育（第二批）")->required();
    add->add_option("--owner", aa->owner, "the org that runs it: id, code:<division code> or name path")->required();
    add->add_option("--start", aa->start, "first day, YYYY-MM-DD")->required();
    add->add_option("--end", aa->end, "last day, YYYY-MM-DD")->required();
    add->add_option("--batch", aa->batches, "a batch START:END (repeat in order: batch 1, batch 2, ...)");
    add->add_option("--description", aa->description, "description");
    add->add_option("--source", aa->source, "the document it comes from");
    add->callback([&run, with_service, aa] {
        run = with_service([aa](service::Service& svc, const domain::Actor& actor) -> int {
            auto owner = ResolveOrg(svc, actor, aa->owner);
            if (!owner.ok()) return Fail(owner.status());
            service::CampaignDraft d;
            d.code = aa->code;
            d.name = aa->name;
            d.owner_org_id = owner->id;
            d.start_date = aa->start;
            d.end_date = aa->end;
            d.description = aa->description;
            if (!aa->source.empty()) d.source = aa->source;
            for (std::size_t i = 0; i < aa->batches.size(); ++i) {
                auto b = ParseBatch(aa->batches[i], static_cast<int>(i) + 1);
                if (!b.ok()) return Fail(b.status());
                d.batches.push_back(*b);
            }
            return PrintDetail(svc.CreateCampaign(actor, d));
        });
    });

    // campaign list
    auto org = std::make_shared<std::string>();
    auto* list = campaign->add_subcommand("list", "List campaigns (one JSON object a line).");
    list->add_option("--org", *org, "only those visible from this org");
    list->callback([&run, with_service, org] {
        run = with_service([org](service::Service& svc, const domain::Actor& actor) -> int {
            std::optional<domain::OrgId> org_id;
            if (!org->empty()) {
                auto o = ResolveOrg(svc, actor, *org);
                if (!o.ok()) return Fail(o.status());
                org_id = o->id;
            }
            auto all = svc.ListCampaigns(actor, org_id);
            if (!all.ok()) return Fail(all.status());
            for (const auto& c : *all) std::cout << domain::ToJson(c).dump() << "\n";
            return 0;
        });
    });

    // campaign show
    auto show_ref = std::make_shared<std::string>();
    auto* show = campaign->add_subcommand("show", "Print a campaign with its special items.");
    show->add_option("campaign", *show_ref, "campaign id or code")->required();
    show->callback([&run, with_service, show_ref] {
        run = with_service([show_ref](service::Service& svc, const domain::Actor& actor) -> int {
            return PrintDetail(ResolveCampaign(svc, actor, *show_ref));
        });
    });

    // campaign item add
    struct ItemArgs {
        std::string campaign, code, title, lead, description;
    };
    auto ia = std::make_shared<ItemArgs>();
    auto* item = campaign->add_subcommand("item", "Special items (专项整治) of a campaign.");
    item->require_subcommand(1);
    auto* item_add = item->add_subcommand("add", "Add a special item to a campaign.");
    item_add->add_option("campaign", ia->campaign, "campaign id or code")->required();
    item_add->add_option("--code", ia->code, "code, unique within the campaign")->required();
    item_add->add_option("--title", ia->title, "title")->required();
    item_add->add_option("--lead", ia->lead, "lead org (牵头单位): id, code:<division code> or name path");
    item_add->add_option("--description", ia->description, "description");
    item_add->callback([&run, with_service, ia] {
        run = with_service([ia](service::Service& svc, const domain::Actor& actor) -> int {
            auto c = ResolveCampaign(svc, actor, ia->campaign);
            if (!c.ok()) return Fail(c.status());
            service::SpecialItemDraft d{ia->code, ia->title, std::nullopt, ia->description};
            if (!ia->lead.empty()) {
                auto lead = ResolveOrg(svc, actor, ia->lead);
                if (!lead.ok()) return Fail(lead.status());
                d.lead_org_id = lead->id;
            }
            auto s = svc.AddSpecialItem(actor, c->campaign.id, d);
            if (!s.ok()) return Fail(s.status());
            std::cout << domain::ToJson(*s).dump(2) << "\n";
            return 0;
        });
    });

    // campaign load
    auto file = std::make_shared<std::string>();
    auto* load = campaign->add_subcommand(
        "load", "Create a campaign with its batches and items from a JSON file (the body of POST /api/v1/campaigns; "
                "\"owner\" and an item's \"lead\" may name orgs as the command line does).");
    load->add_option("file", *file, "the JSON file, e.g. data/campaigns/zhuti-jiaoyu-2019-tianjin.json")->required();
    load->callback([&run, with_service, file] {
        run = with_service([file](service::Service& svc, const domain::Actor& actor) -> int {
            std::ifstream in(*file, std::ios::binary);
            if (!in) return Fail(NotFound("cannot open " + *file));
            std::stringstream text;
            text << in.rdbuf();
            auto body = nlohmann::json::parse(text.str(), nullptr, false);
            if (body.is_discarded()) return Fail(InvalidArgument(*file + ": not valid JSON"));
            if (auto s = ResolveFileOrgs(svc, actor, body); !s.ok()) {
                return Fail(Status(s.code(), *file + ": " + s.message()));
            }
            auto draft = http::CampaignDraftFromJson(body);
            if (!draft.ok()) return Fail(Status(draft.status().code(), *file + ": " + draft.status().message()));
            return PrintDetail(svc.CreateCampaign(actor, *draft));
        });
    });
}

}  // namespace rectify::cli::detail
