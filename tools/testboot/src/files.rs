//! Reading files from the boot volume: `limine.conf`, and what it names.
//!
//! `boot():` in `limine.conf` is the partition testboot itself was loaded
//! from (the ESP), found through the loaded image's device and its Simple
//! File System protocol. Paths use Limine's `/dir/file` form and are turned
//! into UEFI's `\dir\file`. `limine.conf` is looked for where Limine 8.2
//! looks, in the same order (CONFIG.md, "Location of the config file"), so a
//! file that shadows another under Limine shadows it here too; what it
//! means is `bootplan::config`'s job. The kernel and modules are read
//! straight into pages typed EXECUTABLE_AND_MODULES, where the kernel will
//! find them; the partition's identity (number, MBR signature or GPT GUID)
//! comes from the device path, for the `limine_file` descriptions.
//!
//! A `limine_file` names its file by the path on the boot volume, with a
//! leading slash, and carries its command line (`cmdline:` for the kernel,
//! `module_cmdline:` for a module; empty if none). Media type is generic;
//! TFTP fields and the disk and filesystem UUIDs, which testboot does not
//! read, are 0 ("invalid", as PROTOCOL.md allows).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use bootplan::{BootEntry, Config, MemoryKind};
use uefi::boot::{self, OpenProtocolAttributes, OpenProtocolParams, ScopedProtocol};
use uefi::proto::device_path::media::PartitionSignature;
use uefi::proto::device_path::{DevicePath, DevicePathNodeEnum};
use uefi::proto::loaded_image::LoadedImage;
use uefi::proto::media::file::{Directory, File, FileAttribute, FileInfo, FileMode, RegularFile};
use uefi::{CString16, Status};

use crate::Error;
use crate::memory::{self, Arena, hhdm};
use crate::protocol::{File as FileDescription, Uuid};

/// Limine's search order for its configuration file.
const CONFIG_PATHS: [&str; 5] =
    ["/limine.conf", "/limine/limine.conf", "/boot/limine.conf", "/boot/limine/limine.conf", "/EFI/BOOT/limine.conf"];

/// A file loaded into EXECUTABLE_AND_MODULES pages.
#[derive(Clone, Copy)]
pub struct LoadedFile {
    /// Physical address of the first byte (page-aligned, as the protocol
    /// promises: "always at least 4KiB aligned").
    pub address: u64,
    pub size: u64,
}

impl LoadedFile {
    /// Places a `limine_file` describing this file; returns its physical
    /// address.
    pub fn describe(self, arena: &mut Arena, path: &str, cmdline: &str, volume: VolumeIdentity) -> Result<u64, Error> {
        let path = hhdm(arena.place_c_string(path)?);
        let cmdline = hhdm(arena.place_c_string(cmdline)?);
        arena.place(FileDescription {
            address: hhdm(self.address),
            size: self.size,
            path,
            cmdline,
            partition_index: volume.partition_index,
            mbr_disk_id: volume.mbr_disk_id,
            gpt_part_uuid: volume.gpt_part_uuid.map(uuid).unwrap_or_default(),
            ..FileDescription::default()
        })
    }

    /// The file's bytes, for reading before hand-off.
    pub fn bytes(&self) -> &'static [u8] {
        // SAFETY: `address` holds `size` bytes testboot read into pages it
        // owns and never frees or writes again; UEFI identity-maps them.
        unsafe { core::slice::from_raw_parts(self.address as *const u8, self.size as usize) }
    }
}

/// Where the boot partition sits on its disk (`limine_file` fields).
#[derive(Clone, Copy, Default)]
pub struct VolumeIdentity {
    /// 1-based; 0 when unknown or unpartitioned.
    pub partition_index: u32,
    pub mbr_disk_id: u32,
    /// The GPT partition GUID in its in-memory (mixed-endian) byte order.
    pub gpt_part_uuid: Option<[u8; 16]>,
}

/// The root directory of the partition testboot was loaded from.
pub struct BootVolume {
    root: Directory,
}

impl BootVolume {
    pub fn open() -> Result<Self, Error> {
        let mut file_system = boot::get_image_file_system(boot::image_handle())
            .map_err(|error| Error::new(format_args!("cannot open the boot volume ({:?})", error.status())))?;
        let root = file_system
            .open_volume()
            .map_err(|error| Error::new(format_args!("cannot read the boot volume ({:?})", error.status())))?;
        Ok(BootVolume { root })
    }

    /// The entry `limine.conf` boots.
    pub fn boot_entry(&mut self) -> Result<BootEntry, Error> {
        for path in CONFIG_PATHS {
            let Some(bytes) = self.read_if_present(path)? else { continue };
            let text = String::from_utf8(bytes).map_err(|error| {
                Error::new(format_args!(
                    "{path} is not UTF-8 (bad byte at offset {})",
                    error.utf8_error().valid_up_to()
                ))
            })?;
            return Config::parse(&text)
                .and_then(|config| config.boot_entry())
                .map_err(|error| Error::new(format_args!("{error} (in {path})")));
        }
        Err(Error::new(format_args!("no limine.conf on the boot volume (looked for {})", CONFIG_PATHS.join(", "))))
    }

    /// The whole file at `path`, or `None` if there is no such file.
    fn read_if_present(&mut self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        let Some(mut file) = self.open_file(path)? else { return Ok(None) };
        let size = file_size(&mut file, path)?;
        let mut bytes = vec![0; size as usize];
        read_exactly(&mut file, &mut bytes, path)?;
        Ok(Some(bytes))
    }

    /// Reads `path` into fresh EXECUTABLE_AND_MODULES pages.
    pub fn load(&mut self, path: &str) -> Result<LoadedFile, Error> {
        let mut file = self.open_file(path)?.ok_or_else(|| Error::new(format_args!("file boot():{path} not found")))?;
        let size = file_size(&mut file, path)?;
        let address = memory::allocate_pages(MemoryKind::ExecutableAndModules, size, None)?;
        let loaded = LoadedFile { address, size };
        // SAFETY: `allocate_pages` just returned `size` bytes (rounded up to
        // pages) at `address` for us alone; UEFI identity-maps them.
        let target = unsafe { core::slice::from_raw_parts_mut(address as *mut u8, size as usize) };
        read_exactly(&mut file, target, path)?;
        Ok(loaded)
    }

    fn open_file(&mut self, path: &str) -> Result<Option<RegularFile>, Error> {
        let uefi_path: String = path.trim_start_matches('/').replace('/', "\\");
        let name = CString16::try_from(uefi_path.as_str())
            .map_err(|_| Error::new(format_args!("path boot():{path} cannot be spelled in UCS-2")))?;
        match self.root.open(&name, FileMode::Read, FileAttribute::empty()) {
            Ok(handle) => match handle.into_regular_file() {
                Some(file) => Ok(Some(file)),
                None => Err(Error::new(format_args!("boot():{path} is a directory, not a file"))),
            },
            Err(error) if error.status() == Status::NOT_FOUND => Ok(None),
            Err(error) => Err(Error::new(format_args!("cannot open boot():{path} ({:?})", error.status()))),
        }
    }
}

fn file_size(file: &mut RegularFile, path: &str) -> Result<u64, Error> {
    let info = file
        .get_boxed_info::<FileInfo>()
        .map_err(|error| Error::new(format_args!("cannot get the size of boot():{path} ({:?})", error.status())))?;
    Ok(info.file_size())
}

/// Fills `buffer` from `file`; FAT drivers may return fewer bytes per call.
fn read_exactly(file: &mut RegularFile, buffer: &mut [u8], path: &str) -> Result<(), Error> {
    let mut done = 0;
    while done < buffer.len() {
        let read = file
            .read(&mut buffer[done..])
            .map_err(|error| Error::new(format_args!("cannot read boot():{path} ({:?})", error.status())))?;
        if read == 0 {
            return Err(Error::new(format_args!("boot():{path} ended after {done} of {} bytes", buffer.len())));
        }
        done += read;
    }
    Ok(())
}

/// The partition number and disk signature of the boot volume, from the
/// HardDrive node of its device path; all zero if there is none.
pub fn volume_identity() -> VolumeIdentity {
    let mut identity = VolumeIdentity::default();
    let Ok(image) = open_shared::<LoadedImage>(boot::image_handle()) else { return identity };
    let Some(device) = image.device() else { return identity };
    let Ok(path) = open_shared::<DevicePath>(device) else { return identity };
    for node in path.node_iter() {
        if let Ok(DevicePathNodeEnum::MediaHardDrive(drive)) = node.as_enum() {
            identity.partition_index = drive.partition_number();
            match drive.partition_signature() {
                PartitionSignature::Mbr(signature) => identity.mbr_disk_id = u32::from_le_bytes(signature),
                PartitionSignature::Guid(guid) => identity.gpt_part_uuid = Some(guid.to_bytes()),
                _ => {}
            }
        }
    }
    identity
}

/// Opens a protocol without claiming it, so the firmware's own users (the
/// console on GOP, say) keep working.
pub fn open_shared<P: uefi::proto::ProtocolPointer + ?Sized>(handle: uefi::Handle) -> uefi::Result<ScopedProtocol<P>> {
    // SAFETY: GetProtocol access does not stop other users of the protocol;
    // testboot only reads through it, and drops it before ExitBootServices.
    unsafe {
        boot::open_protocol::<P>(
            OpenProtocolParams { handle, agent: boot::image_handle(), controller: None },
            OpenProtocolAttributes::GetProtocol,
        )
    }
}

/// A GUID's 16 in-memory bytes as `struct limine_uuid`.
fn uuid(bytes: [u8; 16]) -> Uuid {
    let mut d = [0; 8];
    d.copy_from_slice(&bytes[8..]);
    Uuid {
        a: u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        b: u16::from_le_bytes([bytes[4], bytes[5]]),
        c: u16::from_le_bytes([bytes[6], bytes[7]]),
        d,
    }
}
