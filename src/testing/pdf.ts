/** A small valid PDF the stub serves from `GET /v1/files/{id}`: one page with one line of text. */

/**
 * Builds a one-page PDF 1.4 whose page shows `text` (ASCII), with a correct cross-reference
 * table, so a PDF reader (and a test checking `%PDF-` ... `%%EOF` and the offsets) accepts it.
 */
export function makePdf(text: string): Buffer {
	const safe = text.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, match => `\\${match}`);
	const content = `BT /F1 18 Tf 72 720 Td (${safe}) Tj ET`;
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
		`<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
	];
	let pdf = '%PDF-1.4\n';
	const offsets: number[] = [];
	for (const [index, object] of objects.entries()) {
		offsets.push(pdf.length);
		pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
	}

	const xref = pdf.length;
	pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const offset of offsets) {
		pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
	}

	pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(pdf, 'latin1');
}
