// The progress bar driven by a fake clock, in both output modes: what a terminal gets (one line
// redrawn with '\r', rate-limited) and what a log file gets (plain lines at 10% steps, no '\r').
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "nabla/error.h"
#include "nabla/train/progress.h"

namespace nabla::train {
namespace {

struct FakeClock {
  double now = 0;
  SecondsClock clock() {
    return [this] { return now; };
  }
};

int64_t count_of(const std::string& text, char c) {
  return std::count(text.begin(), text.end(), c);
}

TEST(Progress, FormatDuration) {
  EXPECT_EQ(format_duration(0), "00:00");
  EXPECT_EQ(format_duration(75.9), "01:15");
  EXPECT_EQ(format_duration(3600 + 62), "1:01:02");
  EXPECT_EQ(format_duration(-1), "--:--");
  EXPECT_EQ(format_duration(NAN), "--:--");
}

TEST(Progress, PlainModePrintsWholeLinesAtSteps) {
  FakeClock fake;
  std::ostringstream out;
  ProgressOptions options;
  options.description = "epoch 1/3";
  options.bar_width = 10;
  options.plain_step = 0.5;
  ProgressBar bar(4, out, options, fake.clock());
  EXPECT_FALSE(bar.interactive());  // a string stream is never a terminal

  const double losses[] = {1.0, 0.5, 0.25, 0.25};
  for (double loss : losses) {
    fake.now += 1;
    bar.step(32, loss);
  }
  bar.finish();
  EXPECT_EQ(out.str(),
            "epoch 1/3 [=====>    ] 2/4  50% | 32.0 samples/s | loss 0.75 | 00:02<00:02\n"
            "epoch 1/3 [==========] 4/4 100% | 32.0 samples/s | loss 0.5 | 00:04<00:00\n");
  EXPECT_DOUBLE_EQ(bar.running_loss(), 0.5);
  EXPECT_EQ(bar.samples_done(), 128);
}

TEST(Progress, PlainModeEveryTenPercentAndNeverCarriageReturn) {
  FakeClock fake;
  std::ostringstream out;
  ProgressBar bar(95, out, {}, fake.clock());
  for (int i = 0; i < 95; ++i) {
    fake.now += 0.01;
    bar.step(64, 2.0, {{"acc", 0.5}});
  }
  bar.finish();
  bar.finish();  // a second finish adds nothing
  const std::string text = out.str();
  EXPECT_EQ(count_of(text, '\r'), 0);
  EXPECT_EQ(count_of(text, '\n'), 10);  // 10%, 20%, ..., 100%
  EXPECT_NE(text.find("10/95  10%"), std::string::npos) << text;
  EXPECT_NE(text.find("95/95 100%"), std::string::npos) << text;
  EXPECT_NE(text.find("loss 2 acc 0.5"), std::string::npos) << text;
}

TEST(Progress, PlainModeWithFewBatchesPrintsOncePerBatch) {
  FakeClock fake;
  std::ostringstream out;
  ProgressBar bar(3, out, {}, fake.clock());
  for (int i = 0; i < 3; ++i) bar.step(1);
  bar.finish();
  EXPECT_EQ(count_of(out.str(), '\n'), 3);
}

TEST(Progress, InteractiveModeRedrawsOneLineAtMostTenTimesASecond) {
  FakeClock fake;
  std::ostringstream out;
  ProgressOptions options;
  options.interactive = true;
  options.bar_width = 4;
  options.unit = "img";
  ProgressBar bar(4, out, options, fake.clock());
  EXPECT_TRUE(bar.interactive());

  fake.now = 0.5;
  bar.step(10, 1.0);  // the first step always draws
  fake.now = 0.55;
  bar.step(10, 1.0);  // 0.05 s later: skipped
  fake.now = 0.58;
  bar.step(10, 1.0);  // still within 0.1 s of the last draw: skipped
  fake.now = 1.0;
  bar.step(10, 1.0);  // the last batch always draws
  bar.finish();       // nothing new to draw: only ends the line

  EXPECT_EQ(out.str(),
            "\r[=>  ] 1/4  25% | 20.0 img/s | loss 1 | 00:00<00:01"
            "\r[====] 4/4 100% | 40.0 img/s | loss 1 | 00:01<00:00\n");
}

TEST(Progress, InteractiveModeBlanksOutWhatALongerLineLeft) {
  FakeClock fake;
  std::ostringstream out;
  ProgressOptions options;
  options.interactive = true;
  options.bar_width = 0;
  ProgressBar bar(2, out, options, fake.clock());
  fake.now = 1;
  bar.step(5, 1.0, {{"a_long_extra_name", 1.0}});
  const size_t first_length = out.str().size() - 1;  // without the '\r'
  fake.now = 2;
  bar.step(5, 1.0, {{"x", 1.0}});
  const std::string text = out.str();
  const size_t second_draw = text.rfind('\r');
  EXPECT_EQ(text.size() - second_draw - 1, first_length);  // padded to the longer line
  EXPECT_EQ(text.back(), ' ');
}

TEST(Progress, InteractiveLinesAreCutToTheWidth) {
  FakeClock fake;
  std::ostringstream out;
  ProgressOptions options;
  options.interactive = true;
  options.max_width = 20;
  ProgressBar bar(2, out, options, fake.clock());
  fake.now = 1;
  bar.step(1, 0.5);
  EXPECT_EQ(out.str(), "\r[===============>  ");  // 19 of the 30-wide bar's columns
}

TEST(Progress, DestructorEndsTheLineAndEmptyLoaderPrintsOnce) {
  FakeClock fake;
  std::ostringstream out;
  {
    ProgressOptions options;
    options.interactive = true;
    ProgressBar bar(10, out, options, fake.clock());
    fake.now = 1;
    bar.step(1, 0.5);
  }  // left early, e.g. by an exception
  EXPECT_EQ(out.str().back(), '\n');

  std::ostringstream empty_out;
  {
    ProgressBar empty(0, empty_out, {}, fake.clock());
    empty.finish();
  }
  EXPECT_EQ(count_of(empty_out.str(), '\n'), 1);
  EXPECT_NE(empty_out.str().find("0/0 100%"), std::string::npos) << empty_out.str();
}

TEST(Progress, RejectsNonsenseOptions) {
  std::ostringstream out;
  EXPECT_THROW(ProgressBar(-1, out), Error);
  ProgressOptions options;
  options.plain_step = 0;
  EXPECT_THROW(ProgressBar(10, out, options), Error);
}

}  // namespace
}  // namespace nabla::train
