// JobQueue: the one way work leaves the frame thread (admin figures, exports,
// PIN hashing). A single worker runs each job; a job returns what to do with
// its result, which is posted back and run on the frame thread when the loop
// drains the queue, once per turn. The worker calls `wake` after posting, so
// a loop asleep in SDL_WaitEvent wakes at once: no polling timer.
#pragma once

#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace kiosk::ui {

class JobQueue {
 public:
  enum class Kind { AdminFigures, Export, PinCheck };
  using Finish = std::function<void()>;  // runs on the frame thread
  using Work = std::function<Finish()>;  // runs on the worker

  explicit JobQueue(std::function<void()> wake);
  // Finishes the jobs already accepted (an export in hand is not cut short),
  // drops their results, and joins the worker: no work outlives the queue.
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  void post(Kind kind, Work work);
  // True from post() until the job's result has been drained.
  bool pending(Kind kind) const;
  // Runs the results that have arrived, in order; returns how many.
  size_t drain();

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<Kind, Work>> todo_;
  std::vector<std::pair<Kind, Finish>> done_;
  std::array<int, 3> pending_{};
  bool stopping_ = false;
  std::function<void()> wake_;
  std::thread worker_;  // last: it starts once everything above exists
};

}  // namespace kiosk::ui
