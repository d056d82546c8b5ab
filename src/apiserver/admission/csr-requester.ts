// A CertificateSigningRequest records who asked for it (upstream csrStrategy.PrepareForCreate):
// spec.username, uid, groups and extra are the authenticated user's, whatever the client sent.
// Approvers decide on these fields, so a client must not choose them.
import type { AdmissionPlugin } from './admission.js';

export const csrRequester: AdmissionPlugin = {
  name: 'CertificateSigningRequestRequester',
  admit(a) {
    if (a.operation !== 'CREATE' || a.subresource !== '' || a.entry.type.group !== 'certificates.k8s.io' || a.entry.type.plural !== 'certificatesigningrequests') return;
    const spec = ((a.object.spec ??= {}) as Record<string, unknown>);
    const user = a.ctx.user;
    spec.username = user.username;
    if (user.uid) spec.uid = user.uid;
    else delete spec.uid;
    spec.groups = [...user.groups];
    if (user.extra && Object.keys(user.extra).length) spec.extra = structuredClone(user.extra);
    else delete spec.extra;
  },
};
