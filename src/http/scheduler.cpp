#include "http/scheduler.hpp"

#include <functional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "common/time.hpp"

namespace rectify::http {

namespace asio = boost::asio;

struct Scheduler::Loop {
    asio::io_context ioc;
    asio::steady_timer timer{ioc};
};

Scheduler::Scheduler(service::Service& service, service::WebhookTransport& transport, std::chrono::seconds every)
    : service_(service), transport_(transport), every_(every) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
    if (loop_) return;
    loop_ = std::make_unique<Loop>();
    Loop* loop = loop_.get();
    const std::stop_token stop = stop_.get_token();
    // One pass, then the timer for the next; on the scheduler's thread only.
    auto pass = std::make_shared<std::function<void(const boost::system::error_code&)>>();
    *pass = [this, loop, stop, pass_ref = std::weak_ptr(pass)](const boost::system::error_code& ec) {
        if (ec || stop.stop_requested()) return;
        auto r = service_.RunSupervisionPass(NowSeconds(), transport_, stop);
        if (!r.ok()) {
            spdlog::error("supervision pass failed: {}", r.status().ToString());
        } else {
            const auto& l = r->ladder;
            const auto& d = r->deliveries;
            if (l.urged || l.supervised || !l.errors.empty() || d.attempted || !d.errors.empty()) {
                spdlog::info(
                    "supervision pass: {} overdue tasks, {} urged, {} supervised, {} skipped, {} errors; webhooks: {} "
                    "attempted, {} delivered, {} to retry, {} dead{}",
                    l.candidates, l.urged, l.supervised, l.skipped, l.errors.size(), d.attempted, d.delivered,
                    d.retried, d.dead, d.errors.empty() ? "" : ", store error: " + d.errors.front());
                for (const auto& e : l.errors) spdlog::warn("supervision pass: {}", e);
            }
        }
        if (stop.stop_requested()) return;
        loop->timer.expires_after(every_);
        if (auto self = pass_ref.lock()) loop->timer.async_wait(*self);
    };
    asio::post(loop->ioc, [pass] { (*pass)({}); });
    thread_ = std::thread([loop, pass] {
        for (;;) {
            try {
                loop->ioc.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("supervision scheduler: unexpected exception: {}", e.what());
            }
        }
    });
    spdlog::info("supervision scheduler: a pass every {} s", every_.count());
}

void Scheduler::Stop() {
    if (!loop_) return;
    stop_.request_stop();
    Loop* loop = loop_.get();
    asio::post(loop->ioc, [loop] { loop->timer.cancel(); });
    if (thread_.joinable()) thread_.join();
    loop_.reset();
}

}  // namespace rectify::http
