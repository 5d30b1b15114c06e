package berth.backend.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The lifecycle refuses moves it does not know, whoever asks. */
class TenantVmTest {

	static final Upid CLONE = Upid.parse("UPID:pve1:0035D677:03AB00C3:66DC5987:qmclone:9000:berth@pve!berth:");

	@Test
	void aWakeGoesThroughEveryStepInOrder() {
		TenantVm vm = TenantVm.absent(UUID.randomUUID(), "acme").cloning(10001, "pve1").running(CLONE);
		assertThat(vm.upid()).isEqualTo(CLONE.text());
		vm = vm.cloning(10002, "pve1");
		assertThat(vm.upid()).as("another VMID after a race starts afresh").isNull();
		vm = vm.starting().booting().at("10.0.0.5").ready();
		assertThat(vm.state()).isEqualTo(VmState.READY);
		assertThat(vm.vmid()).isEqualTo(10002);
		assertThat(vm.address()).isEqualTo("10.0.0.5");
		assertThat(vm.tag()).isEqualTo("berth-acme");
		vm = vm.stopping().stopped().starting();
		assertThat(vm.state()).isEqualTo(VmState.STARTING);
		assertThat(vm.destroying().gone().vmid()).isNull();
	}

	@Test
	void illegalMovesAreRefused() {
		TenantVm absent = TenantVm.absent(UUID.randomUUID(), "acme");
		assertThatThrownBy(absent::starting).isInstanceOf(TenantVm.IllegalMove.class)
			.hasMessage("the VM of tenant acme cannot move from absent to starting");
		assertThatThrownBy(absent::booting).isInstanceOf(TenantVm.IllegalMove.class);
		assertThatThrownBy(absent::stopped).isInstanceOf(TenantVm.IllegalMove.class);
		TenantVm cloning = absent.cloning(10001, "pve1");
		assertThatThrownBy(cloning::booting).isInstanceOf(TenantVm.IllegalMove.class);
		assertThatThrownBy(cloning::stopped).isInstanceOf(TenantVm.IllegalMove.class);
		TenantVm booting = cloning.starting().booting();
		assertThatThrownBy(booting::ready).as("ready needs an address").isInstanceOf(IllegalStateException.class);
		TenantVm ready = booting.at("10.0.0.5").ready();
		assertThatThrownBy(() -> ready.cloning(10003, "pve1")).isInstanceOf(TenantVm.IllegalMove.class);
		assertThatThrownBy(ready::starting).isInstanceOf(TenantVm.IllegalMove.class);
		TenantVm gone = ready.destroying().gone();
		assertThatThrownBy(gone::starting).isInstanceOf(TenantVm.IllegalMove.class);
		assertThatThrownBy(gone::destroying).isInstanceOf(TenantVm.IllegalMove.class);
	}

	@Test
	void aFailureKeepsWhatWasFoundAndTheError() {
		TenantVm failed = TenantVm.absent(UUID.randomUUID(), "acme").cloning(10001, "pve2").failed("no node online");
		assertThat(failed.state()).isEqualTo(VmState.FAILED);
		assertThat(failed.vmid()).isEqualTo(10001);
		assertThat(failed.lastError()).isEqualTo("no node online");
		assertThat(failed.starting().lastError()).isNull();
		assertThatThrownBy(failed::ready).isInstanceOf(IllegalStateException.class);
	}

}
