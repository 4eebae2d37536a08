// The supervision scheduler of `rectify serve` (issue 8): every `every` seconds one pass —
// Service::RunLadder(now) then Service::DeliverWebhooks(now, transport) — on its own thread with its own
// Asio io_context and steady_timer, never on the request threads. A pass is idempotent (the store refuses
// a second automatic step; delivered webhooks are not pending), and several servers on one PostgreSQL run
// passes one at a time (Service::RunSupervisionPass holds an advisory lock), so restarts and overlapping
// servers do not repeat anything. Start and Stop are called from one thread (the CLI's); the pass runs on the
// scheduler's thread only.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <thread>

#include "service/service.hpp"

namespace rectify::http {

class Scheduler {
public:
    // `service` and `transport` must outlive the scheduler. `every` > 0.
    Scheduler(service::Service& service, service::WebhookTransport& transport, std::chrono::seconds every);
    ~Scheduler();  // Stop()
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Starts the thread; the first pass runs at once, the next ones `every` seconds after the end of the
    // previous one. A pass that did something logs one line (spdlog info, "supervision pass: ..."); a
    // failed pass logs the error and the loop goes on.
    void Start();
    // Cancels the timer, asks a running pass to stop after its current delivery, and joins the thread.
    // Idempotent.
    void Stop();

private:
    struct Loop;
    service::Service& service_;
    service::WebhookTransport& transport_;
    std::chrono::seconds every_;
    std::stop_source stop_;
    std::unique_ptr<Loop> loop_;
    std::thread thread_;
};

}  // namespace rectify::http
