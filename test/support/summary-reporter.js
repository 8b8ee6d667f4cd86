// Ends the run with one plain line, `N passed, N failed, N skipped`, that any tool can read, after
// the name of each skipped test (which says why it was skipped).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const skipped = results.testResults.flatMap((file) => file.testResults.filter((test) => test.status === 'pending' || test.status === 'todo'));
    for (const test of skipped) process.stderr.write(`\nskipped: ${test.fullName}`);
    process.stderr.write(`\n${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}

module.exports = SummaryReporter;
