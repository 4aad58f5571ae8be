// The table of `nabla`'s commands: one entry per file of commands/, in the order `nabla --help`
// lists them. A command is added by writing its file and naming it here.
//
// An explicit list rather than self-registering static objects: the order of the help is the one
// written here, not the link order; nothing runs before main, so no registry can be read before
// every command has been added (the static-initialisation-order problem); and nothing depends on
// the linker keeping an object file that no one references, which it drops once the commands
// live in a static library.
#include "command.h"

namespace nabla::cli {

Command train_command();
Command eval_command();
Command filters_command();
Command misclassified_command();
Command features_command();
Command summary_command();
Command seq2seq_command();
Command forecast_command();
Command gpt_command();
Command bert_command();
Command word2vec_command();
Command similar_command();
Command lm_command();
Command lm_sample_command();

std::vector<Command> all_commands() {
  return {train_command(),   eval_command(),     filters_command(),  misclassified_command(), features_command(),
          summary_command(), seq2seq_command(),  forecast_command(), gpt_command(),           bert_command(),
          word2vec_command(), similar_command(), lm_command(),       lm_sample_command()};
}

}  // namespace nabla::cli
