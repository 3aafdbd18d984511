#!/usr/bin/env bash
# Makes a private CA and a certificate for the sidecar's Service, stores them as the Secret
# subvol-snapshot-metadata-certs, and applies the SnapshotMetadataService with that CA.
# Run once with kubectl pointed at the cluster; again to replace the certificates (then restart
# the subvol-node pods). With cert-manager, see docs/kubernetes.md instead.
# Usage: deploy/kubernetes/snapshot-metadata/tls-setup.sh [DAYS]   (default 825)
set -euo pipefail
cd "$(dirname "$0")"
days=${1:-825}
[[ "$days" =~ ^[1-9][0-9]*$ ]] || { echo "tls-setup: DAYS must be a whole number, not '$days'" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
service=subvol-snapshot-metadata namespace=subvol-system

openssl req -x509 -newkey rsa:3072 -nodes -days "$days" -subj "/CN=subvol snapshot metadata CA" \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey rsa:3072 -nodes -subj "/CN=$service.$namespace" -keyout "$work/tls.key" -out "$work/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local\n' \
  "$service" "$service" "$namespace" "$service" "$namespace" "$service" "$namespace" > "$work/san.ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days "$days" \
  -extfile "$work/san.ext" -out "$work/tls.crt" 2>/dev/null

kubectl -n "$namespace" create secret tls subvol-snapshot-metadata-certs --cert "$work/tls.crt" --key "$work/tls.key" \
  --dry-run=client -o yaml | kubectl apply -f -
sed "s|CA_CERT_BASE64|$(base64 -w0 < "$work/ca.crt")|" snapshotmetadataservice.yaml | kubectl apply -f -
echo "tls-setup: Secret $namespace/subvol-snapshot-metadata-certs and SnapshotMetadataService csi.subvol.io applied"
