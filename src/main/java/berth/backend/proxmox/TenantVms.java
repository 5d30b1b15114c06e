package berth.backend.proxmox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Tenants' VMs in Postgres ({@code tenant_backend}). A replica acts on a row only under a claim: a
 * conditional update that takes it when nobody holds it or the holder's lease ran out, and moves the
 * epoch on. Each save carries the epoch it was claimed at, so a replica that lost its claim (it
 * stalled, its lease ran out, another took over) writes nothing. No lock is held across a network
 * call. Blocking: callers keep it off event loops.
 */
class TenantVms {

	private final JdbcClient jdbc;

	TenantVms(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<TenantVm> find(UUID tenantId) {
		return jdbc.sql("select * from tenant_backend where tenant_id = ?").param(tenantId).query(TenantVms::map).optional();
	}

	List<TenantVm> findAll() {
		return jdbc.sql("select * from tenant_backend order by tenant_name").query(TenantVms::map).list();
	}

	/**
	 * Takes the tenant's row for this replica (making an {@code absent} one first), unless another
	 * replica holds it under a lease that has not run out.
	 *
	 * @return the row with the new epoch; empty when another replica holds it
	 */
	Optional<TenantVm> claim(UUID tenantId, String tenantName, String owner, Duration lease) {
		jdbc.sql("""
				insert into tenant_backend (tenant_id, tenant_name, state) values (?, ?, 'absent')
				on conflict (tenant_id) do nothing""").params(tenantId, tenantName).update();
		return jdbc.sql("""
				update tenant_backend set owner = ?, lease_until = now() + ? * interval '1 millisecond',
				       epoch = epoch + 1, updated_at = now()
				 where tenant_id = ? and (owner is null or owner = ? or lease_until < now())
				returning *""")
			.params(owner, lease.toMillis(), tenantId, owner)
			.query(TenantVms::map)
			.optional();
	}

	/**
	 * Records a step and renews the lease, if the claim still holds.
	 *
	 * @return false when the claim was lost: the caller stops acting on the VM
	 */
	boolean save(TenantVm vm, String owner, Duration lease) {
		return jdbc.sql("""
				update tenant_backend set state = ?, vmid = ?, node = ?, upid = ?, address = ?, last_error = ?,
				       state_since = ?, lease_until = now() + ? * interval '1 millisecond', updated_at = now()
				 where tenant_id = ? and epoch = ? and owner = ?""")
			.params(vm.state().lower(), vm.vmid(), vm.node(), vm.upid(), vm.address(), vm.lastError(),
					Timestamp.from(vm.stateSince()), lease.toMillis(), vm.tenantId(), vm.epoch(), owner)
			.update() == 1;
	}

	/** Extends the claim's lease, and nothing else (a step may be saved at the same moment). */
	boolean renew(TenantVm vm, String owner, Duration lease) {
		return jdbc.sql("""
				update tenant_backend set lease_until = now() + ? * interval '1 millisecond'
				 where tenant_id = ? and epoch = ? and owner = ?""")
			.params(lease.toMillis(), vm.tenantId(), vm.epoch(), owner)
			.update() == 1;
	}

	/** Lets go of the claim, so that the next wake (on any replica) need not wait for the lease. */
	void release(TenantVm vm, String owner) {
		jdbc.sql("update tenant_backend set owner = null, lease_until = null where tenant_id = ? and epoch = ? and owner = ?")
			.params(vm.tenantId(), vm.epoch(), owner)
			.update();
	}

	/** A request went through to the VM: idleness is counted from here. */
	void used(Set<UUID> tenantIds) {
		if (tenantIds.isEmpty()) {
			return;
		}
		jdbc.sql("update tenant_backend set last_used_at = now() where tenant_id = any (?)")
			.param(tenantIds.toArray(UUID[]::new))
			.update();
	}

	/** Ready VMs nobody used for this long, and that no replica holds. */
	List<TenantVm> idle(Duration idle) {
		return jdbc.sql("""
				select * from tenant_backend
				 where state = 'ready' and last_used_at < now() - ? * interval '1 millisecond'
				   and (owner is null or lease_until < now())""")
			.param(idle.toMillis())
			.query(TenantVms::map)
			.list();
	}

	Set<Integer> vmids() {
		return new HashSet<>(jdbc.sql("select vmid from tenant_backend where state <> 'gone' and vmid is not null")
			.query(Integer.class)
			.list());
	}

	Set<String> addresses() {
		return new HashSet<>(
				jdbc.sql("select address from tenant_backend where state <> 'gone' and address is not null")
					.query(String.class)
					.list());
	}

	Map<VmState, Long> countByState() {
		return jdbc.sql("select state, count(*) as n from tenant_backend group by state")
			.query((rs, row) -> Map.entry(VmState.of(rs.getString("state")), rs.getLong("n")))
			.list()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
	}

	/**
	 * The backend of the tenant's plan: empty for the shared engine, else the VM's size.
	 */
	Optional<VmSize> planOf(UUID tenantId) {
		return jdbc.sql("""
				select p.backend, p.vm_cores, p.vm_memory_mib, p.vm_disk_gib
				  from plan p join tenant t on t.plan = p.name where t.id = ?""")
			.param(tenantId)
			.query((rs, row) -> "proxmox".equals(rs.getString("backend"))
					? Optional.of(new VmSize(rs.getInt("vm_cores"), rs.getInt("vm_memory_mib"),
							(Integer) rs.getObject("vm_disk_gib")))
					: Optional.<VmSize>empty())
			.optional()
			.flatMap(size -> size);
	}

	private static TenantVm map(ResultSet rs, int row) throws SQLException {
		return new TenantVm(rs.getObject("tenant_id", UUID.class), rs.getString("tenant_name"),
				VmState.of(rs.getString("state")), (Integer) rs.getObject("vmid"), rs.getString("node"),
				rs.getString("upid"), rs.getString("address"), rs.getLong("epoch"), rs.getString("last_error"),
				rs.getTimestamp("state_since").toInstant());
	}

}
