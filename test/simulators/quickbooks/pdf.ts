/**
 * A minimal but valid one-page PDF (header, catalog, page, font, text stream, xref with exact byte offsets,
 * trailer) for `GET /invoice/{id}/pdf`: enough for a client to store, attach or sniff `%PDF-`.
 */
import type { QboObject } from './entity-names';

const escapePdfText = (text: string): string => text.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?');

export function renderTransactionPdf(kind: string, txn: QboObject, companyName: string): Buffer {
  const lines = [
    `${companyName}`,
    `${kind} ${String(txn.DocNumber ?? txn.Id)}`,
    `Customer: ${String(txn.CustomerRef?.name ?? txn.CustomerRef?.value ?? '')}`,
    `Date: ${String(txn.TxnDate ?? '')}  Due: ${String(txn.DueDate ?? '')}`,
    `Total: ${String(txn.TotalAmt ?? 0)}  Balance: ${String(txn.Balance ?? txn.TotalAmt ?? 0)}`,
  ];
  const content = ['BT', '/F1 12 Tf', '72 720 Td', '16 TL', ...lines.map((l) => `(${escapePdfText(l)}) Tj T*`), 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
