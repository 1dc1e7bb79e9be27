import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failingEpisodeStep } from './ops-episodes.js';

const rule = { window: 20, threshold: 0.1 };

test('a failing episode opens only over a full window whose failure rate is above the threshold', () => {
  assert.equal(failingEpisodeStep(20, 3, false, rule), 'open', '15% > 10%');
  assert.equal(failingEpisodeStep(20, 2, false, rule), 'keep', 'exactly 10% is not above it');
  assert.equal(failingEpisodeStep(19, 19, false, rule), 'keep', 'fewer attempts than the window say too little');
  assert.equal(failingEpisodeStep(0, 0, false, rule), 'keep');
});

test('an open episode stays open while the rate is above the threshold and closes at or below it', () => {
  assert.equal(failingEpisodeStep(20, 20, true, rule), 'keep', 'never raised twice in one episode');
  assert.equal(failingEpisodeStep(20, 3, true, rule), 'keep');
  assert.equal(failingEpisodeStep(20, 2, true, rule), 'close');
  assert.equal(failingEpisodeStep(5, 0, true, rule), 'close', 'retention may leave fewer attempts than the window');
  assert.equal(failingEpisodeStep(0, 0, true, rule), 'keep');
});
