//! The generated data's words: challenge topics, goal titles, chat lines and session notes.

pub(super) const TOPICS: [&str; 20] = [
    "Linked lists",
    "URL validator",
    "Binary search",
    "Matrix rotation",
    "Word frequency",
    "Bank account",
    "Roman numerals",
    "Palindromes",
    "Queue with two stacks",
    "JSON pretty printer",
    "Rate limiter",
    "LRU cache",
    "Tic-tac-toe",
    "Temperature converter",
    "Anagram finder",
    "Inventory tracker",
    "Merge intervals",
    "Prime sieve",
    "Markdown headings",
    "Shopping cart",
];

pub(super) const GOAL_TITLES: [&str; 12] = [
    "Handles the empty input",
    "Validates its arguments",
    "Covers the happy path with tests",
    "Reports errors clearly",
    "Runs in linear time",
    "Keeps functions small",
    "Names things well",
    "Handles very large inputs",
    "Documents the public API",
    "Avoids global state",
    "Handles unicode text",
    "Cleans up resources",
];

pub(super) const STUDENT_LINES: [&str; 8] = [
    "I am stuck on this goal, my tests keep failing on the edge cases.",
    "Why does my loop run one time too many?",
    "Is it fine to use recursion here or will it overflow?",
    "I changed the function like you said but the output is still wrong.",
    "What should happen when the input is empty?",
    "Could you explain what linear time means for this challenge?",
    "My solution works locally but the checker says it is too slow.",
    "How do I split this into smaller functions?",
];

pub(super) const TRAINER_LINES: [&str; 8] = [
    "Let us look at the smallest input first. What do you expect it to return?",
    "Try printing the index on every iteration and compare it with the length.",
    "Recursion is fine for small inputs; think about the deepest case you must handle.",
    "Good progress. Which test fails now, and what does it expect?",
    "The challenge asks for an empty result there. Where would you check for it?",
    "Count how many times each element is visited. Is it once, or more?",
    "Which part runs inside another loop? That is usually where the time goes.",
    "Pick one responsibility per function and name it after what it does.",
];

pub(super) const NOTES: [&str; 6] = [
    "Walked through the failing edge cases together; student will add tests.",
    "Explained the complexity issue; suggested a hash map instead of nested loops.",
    "Reviewed error handling. Student now returns early on invalid input.",
    "Paired on refactoring into smaller functions. Good progress.",
    "Student understood the recursion limit; switched to an iterative version.",
    "Went through the reviewer's needs_work comments point by point.",
];
