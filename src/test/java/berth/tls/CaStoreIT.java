package berth.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import berth.testing.BerthTest;

/**
 * Replicas that start together end with one CA: whoever inserts first wins, and everyone, the
 * losers included, goes on with the winner's. The candidates are sealed under the test's secret, like
 * a replica's, so that the winner may be a racer (on a new database) or the CA an earlier test made.
 */
@BerthTest
class CaStoreIT {

	@Autowired
	CaStore store;

	@Autowired
	CertificateAuthority authority;

	@Test
	void concurrentFirstStartsKeepOneCa() {
		List<CompletableFuture<CaStore.Stored>> racers = List.of(1, 2, 3, 4)
			.stream()
			.map(i -> CompletableFuture.supplyAsync(() -> store.insertIfAbsent(candidate())))
			.toList();
		List<String> kept = racers.stream().map(CompletableFuture::join).map(CaStore.Stored::certificatePem).distinct().toList();
		assertThat(kept).containsExactly(authority.caPem());
		assertThat(store.load()).get().extracting(CaStore.Stored::certificatePem).isEqualTo(authority.caPem());
	}

	private static CaStore.Stored candidate() {
		KeyPair pair = CertificateAuthority.newKeyPair();
		X509Certificate certificate = CertificateAuthority.selfSigned(pair, "berth.race");
		return new CaStore.Stored(Pem.certificate(certificate),
				CaStore.encrypt(pair.getPrivate(), certificate, CaStore.keyEncryptionKey(BerthTest.PKI_SECRET)));
	}

}
