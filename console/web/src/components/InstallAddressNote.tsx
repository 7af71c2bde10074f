import type { ConsoleAddress } from '../lib/consoleAddress.js';
import { useI18n } from '../lib/i18n.js';

/** Says which console address the install commands carry, and warns when devices cannot reach it. */
export function InstallAddressNote({ address }: { address: ConsoleAddress }) {
  const { lang } = useI18n();
  const nl = lang === 'nl';
  if (address.loopback) {
    return (
      <p className="notice warn" role="note" data-testid="install-address-warning">
        {nl
          ? `Let op: deze opdrachten gebruiken ${address.url}, een adres dat alleen deze computer bereikt. Laptops en pc's kunnen zich daarmee niet aanmelden. Start de console met SLUIMER_PUBLIC_URL op het adres waarop apparaten hem bereiken, bijvoorbeeld https://sluimer.school.nl.`
          : `Note: these commands use ${address.url}, an address that only reaches this computer. Laptops and PCs cannot enroll with it. Start the console with SLUIMER_PUBLIC_URL set to the address devices reach it on, for example https://sluimer.school.nl.`}
      </p>
    );
  }
  return (
    <p className="muted small" data-testid="install-address">
      {address.configured
        ? nl
          ? `Apparaten melden zich aan bij ${address.url} (SLUIMER_PUBLIC_URL).`
          : `Devices enroll with ${address.url} (SLUIMER_PUBLIC_URL).`
        : nl
          ? `Apparaten melden zich aan bij ${address.url}, het adres dat je browser gebruikt. Bereiken apparaten de console op een ander adres, start hem dan met SLUIMER_PUBLIC_URL.`
          : `Devices enroll with ${address.url}, the address your browser uses. If devices reach the console on another address, start it with SLUIMER_PUBLIC_URL.`}
    </p>
  );
}
