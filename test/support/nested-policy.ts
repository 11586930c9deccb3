/** A policy whose one condition value is nested `levels` arrays deep (the document itself adds 5 levels). */
export function nested(levels: number): string {
  return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:GetRecords","Condition":{"StringEquals":{"k":${'['.repeat(levels)}"x"${']'.repeat(levels)}}}}]}`;
}
