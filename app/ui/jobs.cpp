#include "jobs.hpp"

#include <cstdio>
#include <exception>

namespace kiosk::ui {

JobQueue::JobQueue(std::function<void()> wake) : wake_(std::move(wake)), worker_([this] { run(); }) {}

JobQueue::~JobQueue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void JobQueue::post(Kind kind, Work work) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    todo_.emplace_back(kind, std::move(work));
    ++pending_[static_cast<size_t>(kind)];
  }
  cv_.notify_one();
}

bool JobQueue::pending(Kind kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_[static_cast<size_t>(kind)] > 0;
}

size_t JobQueue::drain() {
  std::vector<std::pair<Kind, Finish>> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ready.swap(done_);
  }
  for (auto& [kind, finish] : ready) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --pending_[static_cast<size_t>(kind)];
    }
    if (finish) finish();
  }
  return ready.size();
}

void JobQueue::run() {
  for (;;) {
    std::pair<Kind, Work> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !todo_.empty(); });
      if (todo_.empty()) return;  // stopping, and nothing accepted is left
      job = std::move(todo_.front());
      todo_.pop_front();
    }
    Finish finish;
    try {
      finish = job.second();
    } catch (const std::exception& e) {
      // A job that throws must not take the kiosk down; staff see it in the log.
      std::fprintf(stderr, "kiosk: a background job failed: %s\n", e.what());
    }
    bool stopping = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.emplace_back(job.first, std::move(finish));
      stopping = stopping_;
    }
    if (!stopping && wake_) wake_();
  }
}

}  // namespace kiosk::ui
