export type * from './types.js';
export { analyzerRequests, policyText } from './select.js';
export {
  blockingFindings,
  findingLine,
  findingsOf,
  locateStatement,
  pathText,
  severityOf,
  sortFindings,
  statementSpans,
} from './findings.js';
export { analyzerRefusal, analyzerReport, countRequests } from './report.js';
