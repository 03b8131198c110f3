'use strict';
/**
 * artillery-engine-push-lab: Push Lab's user agents and application servers as Artillery
 * virtual users against any RFC 8030 push service (`config.target`).
 *
 *   config:
 *     target: http://127.0.0.1:8443
 *     engines:
 *       push-lab: { link: { preset: fast-4g }, ack: { policy: immediate } }
 *   scenarios:
 *     - engine: push-lab
 *       flow: [{ subscribe: {} }, { send: { to: self, count: 3 } }, { receive: { count: 3 } }]
 *
 * Everything a VU does is Push Lab's own engine (`push-lab/fleet`); this file only hands
 * Artillery's script to it and its figures back to Artillery (`ee.emit('counter'|'histogram')`),
 * so Artillery's reports, `--count` and its cloud runners carry them unchanged.
 *
 * CommonJS, so every Artillery 2 loads it (older ones `require` engines); the fleet engine
 * is ESM (TypeScript through tsx) and is imported once per worker, when the engine is made.
 */
const path = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * push-lab installed beside the engine (`npm install push-lab`) wins; otherwise the
 * repository this package lives in (packages/artillery-engine-push-lab → ../../lib).
 */
function fleetEntry() {
  try {
    return require.resolve('push-lab/fleet');
  } catch {
    return path.join(__dirname, '..', '..', 'lib', 'fleet.mjs');
  }
}

class PushLabEngine {
  constructor(script, ee) {
    this.ee = ee;
    const config = script.config || {};
    const options = (config.engines || {})['push-lab'];
    this.api = import(pathToFileURL(fleetEntry()).href);
    this.fleet = this.api.then(({ Fleet }) => Fleet.start(config.target, options));
    // Said once here; each VU then fails with the error's code (Artillery counts errors.<code>).
    this.fleet.catch((error) => {
      process.stderr.write(`artillery-engine-push-lab: ${error.message}\n`);
    });
  }

  createScenario(spec, ee) {
    const name = spec.name ? `scenarios "${spec.name}".flow` : 'flow';
    const ready = Promise.all([this.fleet, this.api]).then(([fleet, { Fleet }]) => ({
      fleet,
      steps: Fleet.steps(spec.flow, name),
    }));
    let said = false;
    ready.catch((error) => {
      if (!said && error.code === 'ERR_FLEET_BAD_SCRIPT' && !error.message.startsWith('config')) {
        said = true;
        process.stderr.write(`artillery-engine-push-lab: ${error.message}\n`);
      }
    });
    const sink = {
      counter: (metric, value) => ee.emit('counter', metric, value),
      histogram: (metric, value) => ee.emit('histogram', metric, value),
    };
    return function pushLabVirtualUser(context, callback) {
      ee.emit('started');
      ready
        .then(({ fleet, steps }) => fleet.run(steps, sink))
        .then(
          () => callback(null, context),
          (error) => {
            ee.emit('error', error.code || error.message);
            callback(error, context);
          },
        );
    };
  }
}

module.exports = PushLabEngine;
