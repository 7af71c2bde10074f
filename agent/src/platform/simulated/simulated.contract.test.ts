import { adapterContract } from '../contract/suite.js';
import { SimulatedPlatform } from './index.js';

// The simulated adapter keeps the same contract as the OS adapters (real time, no ManualClock here).
adapterContract('simulated', async () => {
  const adapter = new SimulatedPlatform({ battery: { hasBattery: true, percent: 80 } });
  return {
    adapter,
    env: {
      poke: async () => adapter.input(),
      enforcesTimeouts: true,
      hasBacklight: true,
      blockersReadable: true,
      switchPowerSource: async (source) => adapter.setPowerSource(source),
      powerEvents: true,
    },
  };
});
