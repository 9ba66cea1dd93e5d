#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "jobs.hpp"

using kiosk::ui::JobQueue;

TEST_CASE("job queue: a result wakes the loop and is applied on the draining thread", "[ui][jobs]") {
  std::mutex m;
  std::condition_variable cv;
  int wakes = 0;
  JobQueue q([&] {
    std::lock_guard<std::mutex> lock(m);
    ++wakes;
    cv.notify_all();
  });
  std::thread::id worker_id, finish_id;
  q.post(JobQueue::Kind::Export, [&]() -> JobQueue::Finish {
    worker_id = std::this_thread::get_id();
    return [&] { finish_id = std::this_thread::get_id(); };
  });
  CHECK(q.pending(JobQueue::Kind::Export));
  CHECK_FALSE(q.pending(JobQueue::Kind::PinCheck));
  {
    std::unique_lock<std::mutex> lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return wakes == 1; }));
  }
  CHECK(q.pending(JobQueue::Kind::Export));  // until drained
  CHECK(q.drain() == 1);
  CHECK_FALSE(q.pending(JobQueue::Kind::Export));
  CHECK(finish_id == std::this_thread::get_id());
  CHECK(worker_id != std::this_thread::get_id());
  CHECK(q.drain() == 0);
}

TEST_CASE("job queue: destruction finishes accepted work and leaves nothing running", "[ui][jobs]") {
  std::atomic<int> ran{0};
  std::atomic<bool> finished_applied{false};
  {
    JobQueue q([] {});
    for (int i = 0; i < 3; ++i)
      q.post(JobQueue::Kind::AdminFigures, [&]() -> JobQueue::Finish {
        std::this_thread::yield();
        ++ran;
        return [&] { finished_applied = true; };
      });
  }
  CHECK(ran == 3);
  CHECK_FALSE(finished_applied);  // results nobody drained are dropped, never run late
}
