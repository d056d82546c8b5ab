/** metav1.Time: RFC 3339 in UTC with second precision. */
export { formatMetaTime as metaTime } from '../../api/canonical-time.js';
