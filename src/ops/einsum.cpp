// Einstein summation by composition, as opt_einsum and torch.einsum do it: every operand first
// takes the diagonal of a label it repeats and sums the labels no one else uses; then the operands
// are contracted left to right, each pair by one batched matmul over [shared and kept, only left,
// summed] x [shared and kept, summed, only right]; the last result is permuted to the output's
// order. The gradient is that of sum, mul, permute, reshape and matmul.
#include <algorithm>
#include <cctype>
#include <map>

#include "ops/op_utils.h"

namespace nabla {
namespace {

// One label per axis: a letter's character code, or kFirstEllipsisLabel + i for the i-th axis
// (from the left, right-aligned across operands) that "..." stands for.
using Labels = std::vector<int>;
constexpr int kFirstEllipsisLabel = 256;

struct Term {
  Tensor value;
  Labels labels;
};

class EinsumParser {
 public:
  EinsumParser(const std::string& equation, const std::vector<Tensor>& operands)
      : equation_(equation) {
    std::string text;
    for (char c : equation)
      if (c != ' ') text += c;
    const size_t arrow = text.find("->");
    const std::string inputs = text.substr(0, arrow);
    if (arrow != std::string::npos && text.find("->", arrow + 2) != std::string::npos) fail("more than one \"->\"");
    std::vector<std::string> terms{""};
    for (char c : inputs) {
      if (c == ',') terms.emplace_back();
      else terms.back() += c;
    }
    if (terms.size() != operands.size())
      fail(std::to_string(terms.size()) + " input term(s) for " + std::to_string(operands.size()) + " operand(s)");
    // How many axes each "..." stands for, then the labels with those axes right-aligned.
    std::vector<int64_t> ellipsis_axes;
    for (size_t i = 0; i < terms.size(); ++i) {
      const Spelling s = spell(terms[i]);
      const int64_t rest = operands[i].dim() - static_cast<int64_t>(s.letters);
      if (rest < 0 || (!s.has_ellipsis && rest != 0))
        fail("term \"" + terms[i] + "\" does not fit operand " + std::to_string(i) + " of shape " +
             to_string(operands[i].shape()));
      ellipsis_axes.push_back(s.has_ellipsis ? rest : 0);
      ellipsis_rank_ = std::max(ellipsis_rank_, ellipsis_axes.back());
    }
    for (size_t i = 0; i < terms.size(); ++i) inputs_.push_back(labels_of(terms[i], ellipsis_axes[i]));
    check_sizes(operands);
    output_ = arrow == std::string::npos ? implicit_output() : explicit_output(text.substr(arrow + 2));
  }

  const std::vector<Labels>& inputs() const { return inputs_; }
  const Labels& output() const { return output_; }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw ShapeError("einsum: \"" + equation_ + "\": " + why);
  }

  struct Spelling {
    size_t letters = 0;
    bool has_ellipsis = false;
  };

  // Checks the characters of a term: letters and at most one "...".
  Spelling spell(const std::string& term) const {
    Spelling s;
    for (size_t i = 0; i < term.size(); ++i) {
      if (term.compare(i, 3, "...") == 0) {
        if (s.has_ellipsis) fail("\"...\" twice in the term \"" + term + "\"");
        s.has_ellipsis = true;
        i += 2;
      } else if (std::isalpha(static_cast<unsigned char>(term[i]))) {
        ++s.letters;
      } else {
        fail(std::string("invalid character '") + term[i] + "' (labels are letters, and \"...\")");
      }
    }
    return s;
  }

  Labels labels_of(const std::string& term, int64_t ellipsis_axes) const {
    Labels labels;
    for (size_t i = 0; i < term.size(); ++i) {
      if (term[i] != '.') {
        labels.push_back(static_cast<unsigned char>(term[i]));
        continue;
      }
      for (int64_t k = ellipsis_rank_ - ellipsis_axes; k < ellipsis_rank_; ++k)
        labels.push_back(kFirstEllipsisLabel + static_cast<int>(k));
      i += 2;
    }
    return labels;
  }

  // A label repeated in one term spans axes of one size (its diagonal); across operands its sizes
  // must agree where they are not 1 (which broadcasts).
  void check_sizes(const std::vector<Tensor>& operands) const {
    std::map<int, std::pair<int64_t, size_t>> seen;  // label -> (size, first operand with it)
    for (size_t i = 0; i < inputs_.size(); ++i)
      for (size_t axis = 0; axis < inputs_[i].size(); ++axis) {
        const Labels& labels = inputs_[i];
        const int64_t size = operands[i].shape()[axis];
        const size_t first = static_cast<size_t>(std::find(labels.begin(), labels.end(), labels[axis]) - labels.begin());
        if (first < axis) {
          if (operands[i].shape()[first] != size)
            fail("label " + name(labels[axis]) + " repeats over axes of sizes " +
                 std::to_string(operands[i].shape()[first]) + " and " + std::to_string(size) +
                 " in operand " + std::to_string(i));
          continue;
        }
        auto [at, fresh] = seen.try_emplace(labels[axis], size, i);
        if (fresh || size == 1) continue;
        if (at->second.first == 1) at->second = {size, i};
        else if (at->second.first != size)
          fail("label " + name(labels[axis]) + " has size " + std::to_string(at->second.first) +
               " in operand " + std::to_string(at->second.second) + " but " + std::to_string(size) +
               " in operand " + std::to_string(i));
      }
  }

  std::string name(int label) const {
    return label >= kFirstEllipsisLabel ? std::string("\"...\"") : std::string(1, static_cast<char>(label));
  }

  Labels ellipsis_labels() const {
    Labels labels;
    for (int64_t k = 0; k < ellipsis_rank_; ++k) labels.push_back(kFirstEllipsisLabel + static_cast<int>(k));
    return labels;
  }

  // The "..." axes, then the letters that occur once in all the terms, in alphabetical order.
  Labels implicit_output() const {
    std::map<int, int> count;
    for (const Labels& labels : inputs_)
      for (int label : labels) ++count[label];
    Labels output = ellipsis_labels();
    for (const auto& [label, n] : count)
      if (label < kFirstEllipsisLabel && n == 1) output.push_back(label);
    return output;
  }

  Labels explicit_output(const std::string& term) const {
    spell(term);
    Labels output = labels_of(term, ellipsis_rank_);
    for (size_t i = 0; i < output.size(); ++i) {
      if (std::count(output.begin(), output.end(), output[i]) > 1)
        fail("label " + name(output[i]) + " occurs twice in the output");
      const bool in_inputs = std::any_of(inputs_.begin(), inputs_.end(), [&](const Labels& labels) {
        return std::find(labels.begin(), labels.end(), output[i]) != labels.end();
      });
      if (!in_inputs) fail("the output label " + name(output[i]) + " is in no input term");
    }
    return output;
  }

  std::string equation_;
  std::vector<Labels> inputs_;
  Labels output_;
  int64_t ellipsis_rank_ = 0;
};

bool contains(const Labels& labels, int label) {
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

int64_t position(const Labels& labels, int label) {
  return std::find(labels.begin(), labels.end(), label) - labels.begin();
}

// The diagonal over the axes p < q of one label: x times the identity on those axes, summed over q.
Tensor diagonal(const Tensor& x, int64_t p, int64_t q) {
  const int64_t n = x.shape()[static_cast<size_t>(p)];
  Shape shape(static_cast<size_t>(x.dim()), 1);
  shape[static_cast<size_t>(p)] = shape[static_cast<size_t>(q)] = n;
  return sum(x * reshape(eye(n, x.dtype()).to(x.device()), shape), {q});
}

// Diagonals of repeated labels first (the parser checked their sizes), then the labels that `keep`
// does not hold summed away.
Term reduce_alone(Term t, const Labels& keep) {
  for (int64_t q = 1; q < static_cast<int64_t>(t.labels.size());) {
    const int64_t p = position(t.labels, t.labels[static_cast<size_t>(q)]);
    if (p == q) {
      ++q;
      continue;
    }
    t.value = diagonal(t.value, p, q);
    t.labels.erase(t.labels.begin() + q);
  }
  Axes unused;
  Labels kept;
  for (size_t a = 0; a < t.labels.size(); ++a) {
    if (contains(keep, t.labels[a])) kept.push_back(t.labels[a]);
    else unused.push_back(static_cast<int64_t>(a));
  }
  if (!unused.empty()) t.value = sum(t.value, unused);
  t.labels = kept;
  return t;
}

// a's and b's product summed over their shared labels that `keep` does not hold.
Term contract(const Term& a, const Term& b, const Labels& keep) {
  Labels batch, left, summed, right;
  for (int label : a.labels) {
    if (!contains(b.labels, label)) left.push_back(label);
    else if (contains(keep, label)) batch.push_back(label);
    else summed.push_back(label);
  }
  for (int label : b.labels)
    if (!contains(a.labels, label)) right.push_back(label);
  std::map<int, int64_t> size;  // after broadcasting size-1 axes
  for (const Term* t : {&a, &b})
    for (size_t axis = 0; axis < t->labels.size(); ++axis)
      size[t->labels[axis]] = std::max(size[t->labels[axis]], t->value.shape()[axis]);
  auto arranged = [&](const Term& t, const std::vector<const Labels*>& groups) {
    Axes order;
    Shape shape, merged;
    for (const Labels* group : groups) {
      int64_t product = 1;
      for (int label : *group) {
        order.push_back(position(t.labels, label));
        shape.push_back(size[label]);
        product *= size[label];
      }
      merged.push_back(product);
    }
    return reshape(broadcast_to(permute(t.value, order), shape), merged);
  };
  const Tensor product = matmul(arranged(a, {&batch, &left, &summed}), arranged(b, {&batch, &summed, &right}));
  Term out;
  Shape shape;
  for (const Labels* group : {&batch, &left, &right})
    for (int label : *group) {
      out.labels.push_back(label);
      shape.push_back(size[label]);
    }
  out.value = reshape(product, shape);
  return out;
}

}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  if (operands.empty()) throw ShapeError("einsum: \"" + equation + "\": needs at least one operand");
  const EinsumParser parser(equation, operands);
  const std::vector<Labels>& inputs = parser.inputs();
  // The labels that operands first..last must keep: those of the output and of the other operands.
  auto needed_beyond = [&](size_t first, size_t last) {
    Labels keep = parser.output();
    for (size_t j = 0; j < inputs.size(); ++j)
      if (j < first || j > last) keep.insert(keep.end(), inputs[j].begin(), inputs[j].end());
    return keep;
  };
  Term result = reduce_alone({operands[0], inputs[0]}, needed_beyond(0, 0));
  for (size_t i = 1; i < operands.size(); ++i) {
    const Term next = reduce_alone({operands[i], inputs[i]}, needed_beyond(i, i));
    result = contract(result, next, needed_beyond(0, i));
  }
  Axes order;
  for (int label : parser.output()) order.push_back(position(result.labels, label));
  return permute(result.value, order);
}

}  // namespace nabla
