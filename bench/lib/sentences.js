// The embedding benchmark's texts, the same on every run: 300 sentences of 1 to ~120 words drawn by a
// seeded generator from English, French, German, Spanish, Greek, Russian, Chinese, Japanese words,
// digits, punctuation and emoji, a few of them past the model's 256 tokens; and a lone 10-word one.

const { join } = require('node:path');
const { DIST } = require('./config');
// The examples' seeded generator (mulberry32), compiled: the same numbers on every machine.
const { seededRandom } = require(join(DIST, 'examples', 'mlp', 'seeded-random.js'));

const WORDS = (
  'the a model serves batches of sentences quickly and every request waits for its answer while ' +
  'workers share two cores vectors tokens latency throughput memory process queue server client ' +
  'question answer search index document paragraph embedding similarity cosine distance network ' +
  'weather train station coffee morning evening library river mountain city market price invoice ' +
  'unbelievably internationalization antidisestablishmentarianism photosynthesis hyperparameter'
).split(' ');
const FOREIGN = (
  'café naïve résumé über straße Grüße mañana niño acción δεδομένα μοντέλο ' +
  'привет мир данные 模型 向量 搜索 日本語 テキスト Zürich Kraków São façade coöperate'
).split(' ');
const SYMBOLS = ['42', '3.14', '2026-12-04', '$19.99', '100%', 'v1.2.3', 'e-mail', "don't", "it's", 'C++', '#tag', '@user', '🙂', '🚀', '—', '…'];
const PUNCTUATION = ['.', '!', '?', '...', ';', ':', '?!', ''];

function sentence(random, words) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const parts = [];
  for (let i = 0; i < words; i++) {
    const roll = random();
    let word = roll < 0.8 ? pick(WORDS) : roll < 0.92 ? pick(FOREIGN) : pick(SYMBOLS);
    if (i === 0 || random() < 0.05) word = word[0].toUpperCase() + word.slice(1);
    if (i < words - 1 && random() < 0.08) word += pick([',', ';', ':', ')', '"']);
    parts.push(word);
  }
  return parts.join(' ') + pick(PUNCTUATION);
}

/**
 * `count` sentences: mostly 1 to 120 words (short ones more often, as in search queries and chunks),
 * and one in fifty of 180 to 240 words, past 256 tokens, which the model truncates.
 */
function benchSentences(count = 300, seed = 24) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    if (i % 50 === 49) return sentence(random, 180 + Math.floor(random() * 61));
    const words = i < 10 ? i + 1 : 1 + Math.floor(120 * random() ** 2);
    return sentence(random, words);
  });
}

/** The lone request's sentence: ten words. */
const LONE_SENTENCE = 'The quick brown fox jumps over the lazy sleeping dog.';

module.exports = { benchSentences, LONE_SENTENCE };
