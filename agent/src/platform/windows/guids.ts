/** powercfg GUIDs (docs/platforms-support.md). Parsers match these, never localised labels. */
export const GUID = {
  SUB_SLEEP: '238c9fa8-0aad-41ed-83f4-97be242c8f20',
  STANDBYIDLE: '29f6c1db-86da-48c5-9fdb-f2b67b1f44da',
  HIBERNATEIDLE: '9d7815a6-7ee4-497e-8888-515a05f02364',
  RTCWAKE: 'bd3b718a-0680-4d9d-8ab2-e1d2b4ac806d',
  SUB_VIDEO: '7516b95f-f776-4464-8c53-06167f40cc99',
  VIDEOIDLE: '3c0bc021-c8a8-4e07-a973-6b14cbcb2b7e',
  VIDEODIM: '17aaa29b-8b43-4b94-aafe-35f64daaf1ee',
  VIDEONORMALLEVEL: 'aded5e82-b909-4619-9949-f5d71dac0bcb',
  VIDEODIMLEVEL: 'f1fbfde2-a960-4165-9f88-50667911ce96',
  ADAPTBRIGHT: 'fbd9aa66-9553-4097-ba44-ed6e9d65eab8',
} as const;

export const GUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
