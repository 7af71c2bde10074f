import type { SluimerTrayApi } from '../../src/api.js';

declare global {
  interface Window {
    sluimer: SluimerTrayApi;
  }
}
