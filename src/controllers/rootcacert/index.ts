// The root CA certificate publisher: kube-root-ca.crt in every namespace.
export {
  descriptionAnnotation,
  newRootCACertPublisher,
  newRootCACertPublisherController,
  rootCACertConfigMapName,
  rootCACertDescription,
  type RootCACertPublisherOptions,
} from './publisher.js';
