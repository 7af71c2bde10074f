/**
 * Windows console tools (powercfg, schtasks, reg) print in the OEM code page when their output is
 * redirected: 850 on Dutch (and most Western European) Windows, 437 on US English. Node decodes child
 * output as UTF-8 unless told otherwise, which turns "vidéo" into "vid\uFFFDo". GUIDs and hex values are
 * ASCII and survive either way; localised reason texts (powercfg /requests) need this.
 */
const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00AD±‗¾¶§÷¸°¨·¹³²■\u00A0';
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00A0';

export function decodeOem(buf: Buffer, codePage: 850 | 437 = 850): string {
  const high = codePage === 437 ? CP437_HIGH : CP850_HIGH;
  let out = '';
  for (const b of buf) out += b < 0x80 ? String.fromCharCode(b) : high[b - 0x80]!;
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 when the bytes are valid UTF-8 (after `chcp 65001` or from PowerShell), else the OEM code page. */
export function decodeConsoleOutput(buf: Buffer, codePage: 850 | 437 = 850): string {
  try {
    return utf8.decode(buf);
  } catch {
    return decodeOem(buf, codePage);
  }
}
